using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// The common machinery of the aggregators that keep their events in a
/// <see cref="TimeTree{TItem, TSummary}"/>: admission, the window, compaction and, for
/// <c>all</c>, folding of old events into a constant-size summary.
/// </summary>
/// <remarks>
/// <para>
/// Only events that can affect the value are kept: <see cref="TryGetItem"/> decides (sum keeps
/// only numbers, distinct only non-null values), and <see cref="CountedEvents"/> counts those.
/// </para>
/// <para>
/// After <c>Compact(h)</c>, a finite window <c>W</c> keeps only events with <c>t &gt; h − W</c>
/// (older ones can never be in the window again, and later arrivals that old are ignored);
/// <c>all</c> keeps only events with <c>t &gt; h</c> and folds the older ones, now or when they
/// arrive late, into a count, a summary, and the first and last of them.
/// </para>
/// </remarks>
/// <typeparam name="TItem">What is kept per event.</typeparam>
/// <typeparam name="TSummary">What is cached per subtree of events.</typeparam>
internal abstract class WindowAggregator<TItem, TSummary> : Aggregator
    where TSummary : struct, ITimeSummary<TSummary, TItem>
{
    private readonly long _windowTicks;
    private long _floorTicks = long.MinValue;
    private long _nextOrder;
    private TSummary _foldedSummary;
    private long _foldedCount;
    private TimeTreeEntry<TItem> _foldedFirst;
    private TimeTreeEntry<TItem> _foldedLast;

    /// <summary>Creates the aggregator over <paramref name="window"/>.</summary>
    protected WindowAggregator(AggregateRequirement requirement, Window window)
        : base(requirement)
    {
        IsAll = window.IsAll;
        _windowTicks = IsAll ? 0 : window.Length.Ticks;
    }

    /// <inheritdoc />
    public override int RetainedEntries => Events.Count;

    /// <summary>True for <c>all</c>.</summary>
    protected bool IsAll { get; }

    /// <summary>The retained events (for <c>all</c>, those not folded).</summary>
    protected TimeTree<TItem, TSummary> Events { get; } = new();

    /// <inheritdoc />
    public sealed override void Add(in AggregateEvent e)
    {
        if (!TryGetItem(e, out var item))
        {
            return;
        }

        var entry = new TimeTreeEntry<TItem>(e.Time.UtcTicks, _nextOrder++, item);
        if (entry.Ticks > _floorTicks)
        {
            Events.Add(entry.Ticks, entry.Order, entry.Item);
        }
        else if (IsAll)
        {
            Fold(TSummary.Of(entry.Item), 1, entry, entry);
        }
    }

    /// <inheritdoc />
    public override bool Ignores(long ticks) => !IsAll && ticks <= _floorTicks;

    /// <inheritdoc />
    public override long CountedEvents(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        return IsAll
            ? _foldedCount + Events.CountAtMost(nowTicks)
            : Events.CountInRange(nowTicks - _windowTicks, nowTicks);
    }

    /// <summary>
    /// The window's events change at the next future event and, for a finite window, when the
    /// oldest event in it leaves (at its time plus the window): whichever comes first.
    /// </summary>
    public override DateTimeOffset? NextChange(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var next = Events.TryGetFirstAfter(nowTicks, out var arriving) ? arriving : long.MaxValue;
        if (!IsAll && Events.TryGetFirstAfter(nowTicks - _windowTicks, out var oldest) && oldest <= nowTicks)
        {
            var leaving = oldest > long.MaxValue - _windowTicks ? long.MaxValue : oldest + _windowTicks;
            next = Math.Min(next, leaving);
        }

        return InstantOrNever(next);
    }

    /// <inheritdoc />
    public sealed override void Compact(DateTimeOffset horizon)
    {
        var floor = IsAll ? horizon.UtcTicks : horizon.UtcTicks - _windowTicks;
        if (floor <= _floorTicks)
        {
            return;
        }

        _floorTicks = floor;
        var removed = Events.RemoveAtMost(floor, out var summary, out var first, out var last);
        if (removed > 0 && IsAll)
        {
            Fold(summary, removed, first, last);
        }
    }

    /// <summary>What to keep for an event; false to ignore it (it cannot affect the value).</summary>
    protected abstract bool TryGetItem(in AggregateEvent e, out TItem item);

    /// <summary>The bounds of the window at <paramref name="nowTicks"/>: events with <c>After &lt; t ≤ AtMost</c>.</summary>
    protected (long After, long AtMost) WindowAt(long nowTicks) =>
        (IsAll ? long.MinValue : nowTicks - _windowTicks, nowTicks);

    /// <summary>The summary and count of the events in the window at <paramref name="nowTicks"/>, folded ones included.</summary>
    protected TSummary SummarizeWindow(long nowTicks, out long count)
    {
        var (after, atMost) = WindowAt(nowTicks);
        var summary = Events.SummarizeRange(after, atMost, out var retained);
        count = retained;
        if (IsAll && _foldedCount > 0)
        {
            summary = TSummary.Combine(_foldedSummary, summary);
            count += _foldedCount;
        }

        return summary;
    }

    /// <summary>The earliest event (by time, then order of adding) with <c>t ≤ now</c>, folded ones included.</summary>
    protected bool TryGetEarliest(long nowTicks, out TimeTreeEntry<TItem> entry)
    {
        var found = false;
        entry = default;
        if (_foldedCount > 0 && _foldedFirst.Ticks <= nowTicks)
        {
            entry = _foldedFirst;
            found = true;
        }

        if (Events.TryGetFirst(out var first) && first.Ticks <= nowTicks && (!found || first.Precedes(entry)))
        {
            entry = first;
            found = true;
        }

        return found;
    }

    /// <summary>The latest event (by time, then order of adding) with <c>t ≤ now</c>, folded ones included.</summary>
    protected bool TryGetLatest(long nowTicks, out TimeTreeEntry<TItem> entry)
    {
        var found = false;
        entry = default;
        if (_foldedCount > 0 && _foldedLast.Ticks <= nowTicks)
        {
            entry = _foldedLast;
            found = true;
        }

        if (Events.TryGetLastAtMost(nowTicks, out var last) && (!found || entry.Precedes(last)))
        {
            entry = last;
            found = true;
        }

        return found;
    }

    private void Fold(in TSummary summary, long count, in TimeTreeEntry<TItem> first, in TimeTreeEntry<TItem> last)
    {
        if (_foldedCount == 0)
        {
            _foldedSummary = summary;
            _foldedFirst = first;
            _foldedLast = last;
        }
        else
        {
            _foldedSummary = TSummary.Combine(_foldedSummary, summary);
            if (first.Precedes(_foldedFirst))
            {
                _foldedFirst = first;
            }

            if (_foldedLast.Precedes(last))
            {
                _foldedLast = last;
            }
        }

        _foldedCount += count;
    }
}
