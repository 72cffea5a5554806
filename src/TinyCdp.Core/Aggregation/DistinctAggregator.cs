using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>distinct(prop, W)</c> over a finite window: the number of different values (by
/// <see cref="Value"/> equality, so <c>1</c> and <c>1.0</c> are one value and <c>1</c> and
/// <c>"1"</c> two) the property takes on the events in the window. Events where the property is
/// missing or null are not counted: null is not a value here.
/// </summary>
/// <remarks>
/// Evaluation scans the window: O(log n + k) for k events in it, with a reused set. Keeping the
/// count incrementally would need a structure per value; windows are short enough not to.
/// </remarks>
internal sealed class DistinctAggregator : WindowAggregator<Value, NoSummary>
{
    private readonly PropertyPath _property;
    private readonly HashSet<Value> _scratch = [];
    private readonly Action<Value> _collect;

    /// <summary>Creates the aggregator.</summary>
    public DistinctAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement, requirement.Window)
    {
        _property = property;
        _collect = value => _scratch.Add(value);
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        var (after, atMost) = WindowAt(now.UtcTicks);
        Events.VisitRange(after, atMost, _collect);
        var count = _scratch.Count;
        _scratch.Clear();
        return Value.Number(count);
    }

    /// <inheritdoc />
    protected override bool TryGetItem(in AggregateEvent e, out Value item)
    {
        item = _property.Get(e.Properties);
        return !item.IsNull;
    }
}
