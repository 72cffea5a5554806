using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// A profile's aggregate values computed at <see cref="ComputedAt"/>; by the aggregators'
/// next-change guarantee they hold for every instant in [<see cref="ComputedAt"/>, <see cref="ValidUntil"/>)
/// unless a new message arrives. Immutable.
/// </summary>
/// <param name="Values">By aggregate slot.</param>
/// <param name="Counts">Events counted, by aggregate slot.</param>
/// <param name="ComputedAt">When they were computed.</param>
/// <param name="ValidUntil">When the first of them could change; null when none can.</param>
internal sealed record AggregateValues(Value[] Values, long[] Counts, DateTimeOffset ComputedAt, DateTimeOffset? ValidUntil)
{
    /// <summary>Whether these values are exact at <paramref name="now"/>.</summary>
    public bool HoldAt(DateTimeOffset now) => now >= ComputedAt && (ValidUntil is null || now < ValidUntil);
}
