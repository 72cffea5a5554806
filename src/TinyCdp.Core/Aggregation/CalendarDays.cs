using System.Runtime.CompilerServices;

namespace TinyCdp.Aggregation;

/// <summary>
/// Calendar days in one time zone, numbered as days since 0001-01-01: which day an instant falls
/// on, and when a day starts.
/// </summary>
/// <remarks>
/// <para>
/// Assumes what every current time zone rule satisfies: the local date never goes backwards as
/// time goes forwards (a clock turned back stays within its day; it is at worst turned back to
/// <c>23:00</c> from midnight). <c>unique_days</c> relies on it to treat "days d1..d2" as one
/// contiguous span of time.
/// </para>
/// <para>Immutable, so one instance serves every aggregator (and thread) of a zone: see <see cref="For"/>.</para>
/// </remarks>
internal sealed class CalendarDays
{
    private static readonly ConditionalWeakTable<TimeZoneInfo, CalendarDays> Shared = [];
    private static readonly long MaxTicks = DateTime.MaxValue.Ticks;

    // Offsets are limited to ±14 hours, so local midnight is within this of its UTC instant.
    private static readonly long OffsetBound = TimeSpan.FromHours(14).Ticks + 1;

    private readonly TimeZoneInfo? _zone;
    private readonly long _fixedOffsetTicks;

    /// <summary>Days in <paramref name="zone"/>.</summary>
    public CalendarDays(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.GetAdjustmentRules().Length == 0)
        {
            _fixedOffsetTicks = zone.BaseUtcOffset.Ticks;
        }
        else
        {
            _zone = zone;
        }
    }

    /// <summary>The shared calendar of <paramref name="zone"/>.</summary>
    public static CalendarDays For(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Shared.GetValue(zone, z => new CalendarDays(z));
    }

    /// <summary>The local calendar day (days since 0001-01-01) of the instant at UTC ticks <paramref name="utcTicks"/>.</summary>
    public long DayOf(long utcTicks) => Math.DivRem(LocalTicks(utcTicks), TimeSpan.TicksPerDay, out var remainder) - (remainder < 0 ? 1 : 0);

    /// <summary>
    /// The first instant (UTC ticks) whose local day is <paramref name="day"/> or later: local
    /// midnight, or the end of a gap when the clocks skip midnight; <see cref="long.MaxValue"/>
    /// past the end of the calendar.
    /// </summary>
    public long StartOf(long day)
    {
        if (day > MaxTicks / TimeSpan.TicksPerDay)
        {
            return long.MaxValue;
        }

        var localMidnight = day * TimeSpan.TicksPerDay;
        if (_zone is null)
        {
            return localMidnight - _fixedOffsetTicks;
        }

        if (day <= 1)
        {
            return 0;
        }

        // The usual case: midnight exists once, at midnight minus that day's offset.
        var guess = localMidnight - _zone.GetUtcOffset(new DateTime(localMidnight, DateTimeKind.Unspecified)).Ticks;
        if (guess > 0 && guess <= MaxTicks && DayOf(guess) >= day && DayOf(guess - 1) < day)
        {
            return guess;
        }

        // Midnight skipped or repeated: search for the first instant of the day (monotone, see remarks).
        var low = Math.Max(0, localMidnight - OffsetBound);
        var high = Math.Min(MaxTicks, localMidnight + OffsetBound);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (DayOf(middle) >= day)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    private long LocalTicks(long utcTicks)
    {
        if (_zone is null)
        {
            return utcTicks + _fixedOffsetTicks;
        }

        var clamped = Math.Clamp(utcTicks, 0, MaxTicks);
        return TimeZoneInfo.ConvertTimeFromUtc(new DateTime(clamped, DateTimeKind.Utc), _zone).Ticks;
    }
}
