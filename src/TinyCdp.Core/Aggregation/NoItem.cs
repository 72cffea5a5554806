namespace TinyCdp.Aggregation;

/// <summary>The item of a <see cref="TimeTree{TItem, TSummary}"/> that only needs times and counts.</summary>
internal readonly struct NoItem;
