using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// The aggregators over a numeric property (sum, avg, min, max): they keep only the events whose
/// property is a number, so missing and non-numeric values are skipped, and are not counted.
/// </summary>
/// <typeparam name="TSummary">What is cached per subtree of numbers.</typeparam>
internal abstract class NumericAggregator<TSummary> : WindowAggregator<double, TSummary>
    where TSummary : struct, ITimeSummary<TSummary, double>
{
    private readonly PropertyPath _property;

    /// <summary>Creates the aggregator over <paramref name="property"/>.</summary>
    protected NumericAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement, requirement.Window)
    {
        _property = property;
    }

    /// <inheritdoc />
    protected sealed override bool TryGetItem(in AggregateEvent e, out double item) =>
        _property.Get(e.Properties).TryGetNumber(out item);
}
