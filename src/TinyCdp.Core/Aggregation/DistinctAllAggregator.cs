using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>distinct(prop, all)</c>: the number of different non-null values the property has taken on
/// the events with <c>t ≤ now</c> (same value rules as <see cref="DistinctAggregator"/>).
/// </summary>
/// <remarks>
/// A value counts from its first appearance on, so the aggregator keeps, per value, the key of its
/// earliest event, and a tree of those first appearances: evaluation is a rank query, O(log n),
/// and the value changes only when a new value first appears. Compaction folds first appearances
/// and events at or before the horizon into counts; the set of distinct values itself is kept.
/// </remarks>
internal sealed class DistinctAllAggregator : Aggregator
{
    private readonly PropertyPath _property;
    private readonly Dictionary<Value, (long Ticks, long Order)> _firstAppearances = [];
    private readonly TimeTree<NoItem, NoSummary> _firstAppearanceTimes = new();
    private readonly TimeTree<NoItem, NoSummary> _events = new();
    private long _horizonTicks = long.MinValue;
    private long _foldedValues;
    private long _foldedEvents;
    private long _nextOrder;

    /// <summary>Creates the aggregator.</summary>
    public DistinctAllAggregator(AggregateRequirement requirement, PropertyPath property)
        : base(requirement)
    {
        _property = property;
    }

    /// <inheritdoc />
    public override int RetainedEntries => _events.Count + _firstAppearanceTimes.Count;

    /// <inheritdoc />
    public override void Add(in AggregateEvent e)
    {
        var value = _property.Get(e.Properties);
        if (value.IsNull)
        {
            return;
        }

        var ticks = e.Time.UtcTicks;
        var order = _nextOrder++;
        if (ticks <= _horizonTicks)
        {
            _foldedEvents++;
        }
        else
        {
            _events.Add(ticks, order, default);
        }

        if (_firstAppearances.TryGetValue(value, out var known))
        {
            if (known.Ticks <= ticks)
            {
                return;
            }

            // An earlier (late-arriving) first appearance. A folded one (at or before the horizon)
            // already counts for every evaluation still allowed, so only a retained one moves.
            if (known.Ticks <= _horizonTicks)
            {
                _firstAppearances[value] = (ticks, order);
                return;
            }

            _firstAppearanceTimes.Remove(known.Ticks, known.Order);
        }

        _firstAppearances[value] = (ticks, order);
        if (ticks <= _horizonTicks)
        {
            _foldedValues++;
        }
        else
        {
            _firstAppearanceTimes.Add(ticks, order, default);
        }
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now) =>
        Value.Number(_foldedValues + _firstAppearanceTimes.CountAtMost(now.UtcTicks));

    /// <inheritdoc />
    public override long CountedEvents(DateTimeOffset now) => _foldedEvents + _events.CountAtMost(now.UtcTicks);

    /// <summary>The next first appearance of a value.</summary>
    public override DateTimeOffset? NextChange(DateTimeOffset now) =>
        _firstAppearanceTimes.TryGetFirstAfter(now.UtcTicks, out var next) ? InstantOrNever(next) : null;

    /// <inheritdoc />
    public override void Compact(DateTimeOffset horizon)
    {
        var horizonTicks = horizon.UtcTicks;
        if (horizonTicks <= _horizonTicks)
        {
            return;
        }

        _horizonTicks = horizonTicks;
        _foldedEvents += _events.RemoveAtMost(horizonTicks, out _, out _, out _);
        _foldedValues += _firstAppearanceTimes.RemoveAtMost(horizonTicks, out _, out _, out _);
    }
}
