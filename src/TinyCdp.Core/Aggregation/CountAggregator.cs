using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary><c>count(W)</c>: the number of events in the window. Evaluation O(log n).</summary>
internal sealed class CountAggregator : WindowAggregator<NoItem, NoSummary>
{
    /// <summary>Creates the aggregator.</summary>
    public CountAggregator(AggregateRequirement requirement)
        : base(requirement, requirement.Window)
    {
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now) => Value.Number(CountedEvents(now));

    /// <inheritdoc />
    protected override bool TryGetItem(in AggregateEvent e, out NoItem item)
    {
        item = default;
        return true;
    }
}
