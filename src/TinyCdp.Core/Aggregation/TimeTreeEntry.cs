namespace TinyCdp.Aggregation;

/// <summary>An item of a <see cref="TimeTree{TItem, TSummary}"/> with its key.</summary>
/// <param name="Ticks">The event time in UTC ticks.</param>
/// <param name="Order">The tie-breaker among equal times: the order in which the events were added.</param>
/// <param name="Item">What the tree keeps for the event.</param>
internal readonly record struct TimeTreeEntry<TItem>(long Ticks, long Order, TItem Item)
{
    /// <summary>True when this entry's key (time, then order) comes before <paramref name="other"/>'s.</summary>
    public bool Precedes(in TimeTreeEntry<TItem> other) => Ticks < other.Ticks || (Ticks == other.Ticks && Order < other.Order);
}
