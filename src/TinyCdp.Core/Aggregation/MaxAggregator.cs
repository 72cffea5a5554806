using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary><c>max(prop, W)</c>: the largest of the property's numbers in the window; null when there are none. Evaluation O(log n).</summary>
internal sealed class MaxAggregator : NumericAggregator<NumberRange>
{
    /// <summary>Creates the aggregator.</summary>
    public MaxAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement, property)
    {
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        var range = SummarizeWindow(now.UtcTicks, out _);
        return range.HasValue ? Value.Number(range.Max) : Value.Null;
    }
}
