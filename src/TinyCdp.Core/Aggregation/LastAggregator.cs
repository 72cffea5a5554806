using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>last(prop)</c>: the property's value on the latest event with <c>t ≤ now</c> (null when there
/// is none, or when that event lacks the property); without a property, <c>last_seen</c>: that
/// event's time in Unix milliseconds. Among events with the same time the one added last is the
/// latest. Every event counts, whatever the requirement's window. Evaluation O(log n).
/// </summary>
internal sealed class LastAggregator : WindowAggregator<Value, NoSummary>
{
    private readonly PropertyPath? _property;

    /// <summary>Creates the aggregator; a null <paramref name="property"/> reports the time (<c>last_seen</c>).</summary>
    public LastAggregator(AggregateRequirement requirement, PropertyPath? property)
        : base(requirement, Window.All)
    {
        _property = property;
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        if (!TryGetLatest(now.UtcTicks, out var latest))
        {
            return Value.Null;
        }

        return _property is null ? SeenTime.ToValue(latest.Ticks) : latest.Item;
    }

    /// <inheritdoc />
    protected override bool TryGetItem(in AggregateEvent e, out Value item)
    {
        item = _property is null ? Value.Null : _property.Get(e.Properties);
        return true;
    }
}
