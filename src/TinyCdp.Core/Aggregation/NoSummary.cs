using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>The summary of a <see cref="TimeTree{TItem, TSummary}"/> that needs nothing beyond counts (which every tree keeps).</summary>
internal readonly struct NoSummary : ITimeSummary<NoSummary, NoItem>, ITimeSummary<NoSummary, Value>
{
    /// <inheritdoc />
    public static NoSummary Of(in NoItem item) => default;

    /// <inheritdoc />
    public static NoSummary Of(in Value item) => default;

    /// <inheritdoc />
    public static NoSummary Combine(in NoSummary left, in NoSummary right) => default;
}
