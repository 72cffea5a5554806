using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>sum(prop, W)</c>: the exact sum of the property's numbers in the window, rounded once
/// (see <see cref="ExactSum"/>); 0 when there are none. Evaluation O(log n).
/// </summary>
internal sealed class SumAggregator : NumericAggregator<ExactSum>
{
    /// <summary>Creates the aggregator.</summary>
    public SumAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement, property)
    {
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now) => Value.Number(SummarizeWindow(now.UtcTicks, out _).ToDouble());
}
