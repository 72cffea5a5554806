using System.Runtime.InteropServices;
using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// <c>unique_days(Nd)</c>: the number of local calendar days from <c>today − (N − 1)</c> to
/// <c>today</c> (today being the day of <c>now</c> in the engine time zone) on which at least one
/// event with <c>t ≤ now</c> happened; at most N.
/// </summary>
/// <remarks>
/// <para>
/// Keeps the active days in order with the time of each day's earliest event, plus the event times
/// (only for <see cref="CountedEvents"/>). Because local dates never go backwards
/// (<see cref="CalendarDays"/>), the days sorted by date are also sorted by first event, and every
/// active day before today has begun; so evaluation is two binary searches, O(log d) for d active
/// days. Adding an event is O(log n), plus O(d) to insert a new day that is not the latest.
/// </para>
/// <para>
/// The value changes when a day leaves the range (at the start of day <c>D + N</c> for the oldest
/// counted day <c>D</c>) and when the first event of a day not yet counted happens. After
/// <c>Compact(h)</c> only the days from <c>day(h) − (N − 1)</c> on, and their events, are kept.
/// </para>
/// </remarks>
internal sealed class UniqueDaysAggregator : Aggregator
{
    private readonly CalendarDays _calendar;
    private readonly long _days;
    private readonly List<ActiveDay> _activeDays = [];
    private readonly TimeTree<NoItem, NoSummary> _events = new();
    private long _floorDay = long.MinValue;
    private long _nextOrder;

    /// <summary>Creates the aggregator; the window must be a whole number of days.</summary>
    /// <exception cref="ArgumentException">The window is <c>all</c> or not a whole number of days.</exception>
    public UniqueDaysAggregator(AggregateRequirement requirement, CalendarDays calendar)
        : base(requirement)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var window = requirement.Window;
        if (window.IsAll || window.Length.Ticks % TimeSpan.TicksPerDay != 0)
        {
            throw new ArgumentException($"unique_days needs a window of whole days, not {window}.", nameof(requirement));
        }

        _calendar = calendar;
        _days = window.Length.Ticks / TimeSpan.TicksPerDay;
    }

    /// <inheritdoc />
    public override int RetainedEntries => _events.Count + _activeDays.Count;

    /// <inheritdoc />
    public override void Add(in AggregateEvent e)
    {
        var ticks = e.Time.UtcTicks;
        var day = _calendar.DayOf(ticks);
        if (day < _floorDay)
        {
            return;
        }

        _events.Add(ticks, _nextOrder++, default);
        var days = CollectionsMarshal.AsSpan(_activeDays);
        var index = FirstDayAtLeast(days, day);
        if (index < days.Length && days[index].Day == day)
        {
            if (ticks < days[index].FirstTicks)
            {
                days[index] = new ActiveDay(day, ticks);
            }
        }
        else
        {
            _activeDays.Insert(index, new ActiveDay(day, ticks));
        }
    }

    /// <inheritdoc />
    public override Value Evaluate(DateTimeOffset now)
    {
        var (first, end) = CountedDays(now.UtcTicks);
        return Value.Number(end - first);
    }

    /// <inheritdoc />
    public override long CountedEvents(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var (first, end) = CountedDays(nowTicks);

        // The events on days from the oldest counted one on are exactly those from its first event on.
        return end == first ? 0 : _events.CountInRange(_activeDays[first].FirstTicks - 1, nowTicks);
    }

    /// <inheritdoc />
    public override DateTimeOffset? NextChange(DateTimeOffset now)
    {
        var (first, end) = CountedDays(now.UtcTicks);
        var next = long.MaxValue;
        if (end > first)
        {
            next = _calendar.StartOf(_activeDays[first].Day + _days);
        }

        if (end < _activeDays.Count)
        {
            // The next day to begin counting: later than today, or today with only future events.
            next = Math.Min(next, _activeDays[end].FirstTicks);
        }

        return InstantOrNever(next);
    }

    /// <inheritdoc />
    public override void Compact(DateTimeOffset horizon)
    {
        var floorDay = _calendar.DayOf(horizon.UtcTicks) - (_days - 1);
        if (floorDay <= _floorDay)
        {
            return;
        }

        _floorDay = floorDay;
        var dropped = FirstDayAtLeast(CollectionsMarshal.AsSpan(_activeDays), floorDay);
        _activeDays.RemoveRange(0, dropped);
        if (_activeDays.Count < _activeDays.Capacity / 4)
        {
            _activeDays.TrimExcess();
        }

        if (_activeDays.Count == 0)
        {
            _events.Clear();
        }
        else
        {
            _events.RemoveAtMost(_activeDays[0].FirstTicks - 1, out _, out _, out _);
        }
    }

    // The active days counted at now are the index range [first, end).
    private (int First, int End) CountedDays(long nowTicks)
    {
        var days = CollectionsMarshal.AsSpan(_activeDays);
        var today = _calendar.DayOf(nowTicks);
        var first = FirstDayAtLeast(days, today - (_days - 1));
        var end = FirstDayAtLeast(days, today + 1);
        if (end > first && days[end - 1].Day == today && days[end - 1].FirstTicks > nowTicks)
        {
            end--;
        }

        return (first, end);
    }

    private static int FirstDayAtLeast(ReadOnlySpan<ActiveDay> days, long day)
    {
        var low = 0;
        var high = days.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (days[middle].Day < day)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
