using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>first(prop)</c>: the property's value on the earliest event with <c>t ≤ now</c> (null when
/// there is none, or when that event lacks the property); without a property,
/// <c>first_seen</c>: that event's time in Unix milliseconds. Among events with the same time the
/// one added first is the earliest. Every event counts, whatever the requirement's window.
/// Evaluation O(log n).
/// </summary>
internal sealed class FirstAggregator : WindowAggregator<Value, NoSummary>
{
    private readonly PropertyPath? _property;

    /// <summary>Creates the aggregator; a null <paramref name="property"/> reports the time (<c>first_seen</c>).</summary>
    public FirstAggregator(AggregateRequirement requirement, PropertyPath? property)
        : base(requirement, Window.All)
    {
        _property = property;
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        if (!TryGetEarliest(now.UtcTicks, out var earliest))
        {
            return Value.Null;
        }

        return _property is null ? SeenTime.ToValue(earliest.Ticks) : earliest.Item;
    }

    /// <summary>Once an event has happened the earliest one is fixed; before that, the next change is the first event.</summary>
    public override DateTimeOffset? NextChange(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        if (TryGetEarliest(nowTicks, out _) || !Events.TryGetFirstAfter(nowTicks, out var first))
        {
            return null;
        }

        return InstantOrNever(first);
    }

    /// <inheritdoc />
    protected override bool TryGetItem(in AggregateEvent e, out Value item)
    {
        item = _property is null ? Value.Null : _property.Get(e.Properties);
        return true;
    }
}
