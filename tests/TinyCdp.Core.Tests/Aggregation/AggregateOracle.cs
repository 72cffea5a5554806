using TinyCdp.Aggregation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>
/// The naive recount the aggregators are checked against: plain loops over every event ever
/// added, straight from SEMANTICS.md §3, sharing no code with the aggregators.
/// </summary>
internal static class AggregateOracle
{
    /// <summary>The value and counted events of <paramref name="requirement"/> at <paramref name="now"/>.</summary>
    /// <param name="requirement">What to compute.</param>
    /// <param name="events">Every event, in the order they were added (which breaks ties on time).</param>
    /// <param name="now">The evaluation instant.</param>
    /// <param name="timeZone">The zone for calendar days.</param>
    public static (Value Value, long Counted) Evaluate(
        AggregateRequirement requirement, IReadOnlyList<AggregateEvent> events, DateTimeOffset now, TimeZoneInfo timeZone)
    {
        var window = requirement.Window;
        bool InWindow(DateTimeOffset t) => t <= now && (window.IsAll || now - window.Length < t);
        Value PropertyOf(AggregateEvent e) => requirement.Property!.Get(e.Properties);

        switch (requirement.Kind)
        {
            case AggregateKind.Count:
            {
                var count = events.Count(e => InWindow(e.Time));
                return (Value.Number(count), count);
            }

            case AggregateKind.Sum:
            case AggregateKind.Avg:
            case AggregateKind.Min:
            case AggregateKind.Max:
            {
                var numbers = new List<double>();
                foreach (var e in events)
                {
                    if (InWindow(e.Time) && PropertyOf(e).TryGetNumber(out var number))
                    {
                        numbers.Add(number);
                    }
                }

                double sum = 0;
                foreach (var number in numbers)
                {
                    sum += number;
                }

                var value = requirement.Kind switch
                {
                    AggregateKind.Sum => Value.Number(sum),
                    _ when numbers.Count == 0 => Value.Null,
                    AggregateKind.Avg => Value.Number(sum / numbers.Count),
                    AggregateKind.Min => Value.Number(numbers.Min()),
                    _ => Value.Number(numbers.Max()),
                };
                return (value, numbers.Count);
            }

            case AggregateKind.Distinct:
            {
                var seen = new List<Value>();
                var counted = 0;
                foreach (var e in events)
                {
                    var value = PropertyOf(e);
                    if (!InWindow(e.Time) || value.IsNull)
                    {
                        continue;
                    }

                    counted++;
                    if (!seen.Contains(value))
                    {
                        seen.Add(value);
                    }
                }

                return (Value.Number(seen.Count), counted);
            }

            case AggregateKind.UniqueDays:
            {
                var days = (int)(window.Length.Ticks / TimeSpan.TicksPerDay);
                var today = TimeZoneInfo.ConvertTime(now, timeZone).Date;
                var oldest = today.AddDays(-(days - 1));
                var seenDays = new HashSet<DateTime>();
                var counted = 0;
                foreach (var e in events)
                {
                    var day = TimeZoneInfo.ConvertTime(e.Time, timeZone).Date;
                    if (e.Time <= now && day >= oldest && day <= today)
                    {
                        seenDays.Add(day);
                        counted++;
                    }
                }

                return (Value.Number(seenDays.Count), counted);
            }

            default:
            {
                var latest = requirement.Kind is AggregateKind.Last or AggregateKind.LastSeen;
                var index = -1;
                var counted = 0;
                for (var i = 0; i < events.Count; i++)
                {
                    var time = events[i].Time;
                    if (time > now)
                    {
                        continue;
                    }

                    counted++;
                    if (index < 0
                        || (latest ? time >= events[index].Time : time < events[index].Time))
                    {
                        index = i;
                    }
                }

                if (index < 0)
                {
                    return (Value.Null, counted);
                }

                var value = requirement.Kind is AggregateKind.FirstSeen or AggregateKind.LastSeen
                    ? Value.Number(events[index].Time.ToUnixTimeMilliseconds())
                    : PropertyOf(events[index]);
                return (value, counted);
            }
        }
    }

    /// <summary>The first instant whose local date in <paramref name="timeZone"/> is <paramref name="date"/> or later (by bisection).</summary>
    public static DateTimeOffset StartOfDay(DateTime date, TimeZoneInfo timeZone)
    {
        var low = new DateTimeOffset(date.Ticks, TimeSpan.Zero).AddHours(-15).UtcTicks;
        var high = new DateTimeOffset(date.Ticks, TimeSpan.Zero).AddHours(15).UtcTicks;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (TimeZoneInfo.ConvertTime(new DateTimeOffset(middle, TimeSpan.Zero), timeZone).Date >= date.Date)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return new DateTimeOffset(low, TimeSpan.Zero);
    }
}
