using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>avg(prop, W)</c>: the exact sum of the property's numbers in the window (see
/// <see cref="ExactSum"/>) divided by how many there are; null when there are none.
/// Evaluation O(log n).
/// </summary>
internal sealed class AverageAggregator : NumericAggregator<ExactSum>
{
    /// <summary>Creates the aggregator.</summary>
    public AverageAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement, property)
    {
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        var sum = SummarizeWindow(now.UtcTicks, out var count);
        return count == 0 ? Value.Null : Value.Number(sum.ToDouble() / count);
    }
}
