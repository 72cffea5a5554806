namespace TinyCdp.Aggregation;

/// <summary>
/// A summary that a <see cref="TimeTree{TItem, TSummary}"/> caches for every subtree, so that a
/// window's summary costs O(log n) instead of a scan. <c>default</c> must be the summary of no
/// items, and <see cref="Combine"/> must be associative with <c>default</c> as its identity.
/// </summary>
/// <typeparam name="TSelf">The summary type.</typeparam>
/// <typeparam name="TItem">The item type it summarises.</typeparam>
internal interface ITimeSummary<TSelf, TItem>
    where TSelf : struct, ITimeSummary<TSelf, TItem>
{
    /// <summary>The summary of one item.</summary>
    static abstract TSelf Of(in TItem item);

    /// <summary>The summary of the items of <paramref name="left"/> followed by those of <paramref name="right"/>.</summary>
    static abstract TSelf Combine(in TSelf left, in TSelf right);
}
