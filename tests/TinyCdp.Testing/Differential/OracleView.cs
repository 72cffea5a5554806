using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Testing.Differential;

/// <summary>
/// A profile seen at an instant, computed naively from its messages (SEMANTICS.md §2 properties,
/// §3 windows and time; LANGUAGE.md aggregates): every aggregate is a fresh loop over the list.
/// </summary>
public sealed class OracleView
{
    private readonly IReadOnlyList<OracleEvent> _events;

    private readonly TimeZoneInfo _zone;

    public OracleView(IReadOnlyList<OracleEvent> events, DateTimeOffset now, TimeZoneInfo? zone = null)
    {
        _events = events;
        _zone = zone ?? TimeZoneInfo.Utc;
        Now = now;
        Properties = PropertiesOf(events);
    }

    /// <summary>An unknown person: an empty profile.</summary>
    public static OracleView Empty(DateTimeOffset now, TimeZoneInfo? zone = null) => new([], now, zone);

    public DateTimeOffset Now { get; }

    /// <summary>Identify traits merged shallowly, each key last-write-wins by event time (equal times: later arrival).</summary>
    public Value Properties { get; }

    public Value Profile(string key) => Properties.Member(key);

    /// <summary>Events named <paramref name="name"/> (or every activity event when null) with <c>t ≤ now</c>, in arrival order.</summary>
    public IEnumerable<OracleEvent> Visible(string? name) =>
        _events.Where(e => e.IsAggregated && (name is null ? e.IsActivity : e.Name == name) && e.Time <= Now);

    /// <summary>Visible events in the window <c>now − W &lt; t ≤ now</c> (null W: all), optionally filtered on their properties.</summary>
    public IEnumerable<OracleEvent> InWindow(string name, TimeSpan? window, Func<Value, bool>? filter = null) =>
        Visible(name).Where(e => (window is null || Now - window.Value < e.Time) && (filter is null || filter(e.Properties)));

    public double Count(string name, TimeSpan? window, Func<Value, bool>? filter = null) => InWindow(name, window, filter).Count();

    public Value Sum(string name, string property, TimeSpan? window) =>
        Value.Number(Numbers(name, property, window).Sum());

    public Value Average(string name, string property, TimeSpan? window)
    {
        var numbers = Numbers(name, property, window).ToList();
        return numbers.Count == 0 ? Value.Null : Value.Number(numbers.Sum() / numbers.Count);
    }

    public Value Min(string name, string property, TimeSpan? window)
    {
        var numbers = Numbers(name, property, window).ToList();
        return numbers.Count == 0 ? Value.Null : Value.Number(numbers.Min());
    }

    public Value Max(string name, string property, TimeSpan? window)
    {
        var numbers = Numbers(name, property, window).ToList();
        return numbers.Count == 0 ? Value.Null : Value.Number(numbers.Max());
    }

    /// <summary>Distinct non-null values (by <see cref="Value"/> equality: <c>1 == 1.0</c>, <c>"1" != 1</c>).</summary>
    public double Distinct(string name, string property, TimeSpan? window)
    {
        var seen = new List<Value>();
        foreach (var e in InWindow(name, window))
        {
            var value = PathOf(e.Properties, property);
            if (!value.IsNull && !seen.Contains(value))
            {
                seen.Add(value);
            }
        }

        return seen.Count;
    }

    /// <summary>The property on the earliest visible event (equal times: the earlier arrival); null if none.</summary>
    public Value First(string name, string property)
    {
        OracleEvent? first = null;
        foreach (var e in Visible(name))
        {
            if (first is null || e.Time < first.Time)
            {
                first = e;
            }
        }

        return first is null ? Value.Null : PathOf(first.Properties, property);
    }

    /// <summary>The property on the latest visible event (equal times: the later arrival); null if none.</summary>
    public Value Last(string name, string property)
    {
        OracleEvent? last = null;
        foreach (var e in Visible(name))
        {
            if (last is null || e.Time >= last.Time)
            {
                last = e;
            }
        }

        return last is null ? Value.Null : PathOf(last.Properties, property);
    }

    /// <summary><c>floor((now − t) / unit)</c> for the earliest visible event; null if none.</summary>
    public Value FirstSeenAgo(string? name, TimeSpan unit)
    {
        var times = Visible(name).Select(e => e.Time).ToList();
        return times.Count == 0 ? Value.Null : Value.Number((Now - times.Min()).Ticks / unit.Ticks);
    }

    /// <summary><c>floor((now − t) / unit)</c> for the latest visible event; null if none.</summary>
    public Value LastSeenAgo(string? name, TimeSpan unit)
    {
        var times = Visible(name).Select(e => e.Time).ToList();
        return times.Count == 0 ? Value.Null : Value.Number((Now - times.Max()).Ticks / unit.Ticks);
    }

    /// <summary>Calendar days (in the engine's zone) from today − (N − 1) to today with at least one visible event.</summary>
    public double UniqueDays(string name, int days)
    {
        var today = LocalDate(Now);
        var first = today.AddDays(-(days - 1));
        return Visible(name).Select(e => LocalDate(e.Time)).Where(d => d >= first && d <= today).Distinct().Count();
    }

    private DateTime LocalDate(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, _zone).Date;

    private IEnumerable<double> Numbers(string name, string property, TimeSpan? window)
    {
        foreach (var e in InWindow(name, window))
        {
            if (PathOf(e.Properties, property).TryGetNumber(out var number))
            {
                yield return number;
            }
        }
    }

    /// <summary>A dotted property path (<c>item.price</c>); null when any step is missing.</summary>
    public static Value PathOf(Value value, string path)
    {
        foreach (var step in path.Split('.'))
        {
            value = value.Member(step);
        }

        return value;
    }

    private static Value PropertiesOf(IReadOnlyList<OracleEvent> events)
    {
        var winners = new Dictionary<string, OracleEvent>(StringComparer.Ordinal);
        var values = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Kind != MessageKind.Identify || e.Traits.Properties is not { } traits)
            {
                continue;
            }

            foreach (var (key, value) in traits)
            {
                // Last write wins by event time; equal times: the later arrival (events are in arrival order).
                if (!winners.TryGetValue(key, out var current) || e.Time >= current.Time)
                {
                    winners[key] = e;
                    values[key] = value;
                }
            }
        }

        return Value.Object(values);
    }
}
