using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Aggregation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>
/// A random history for one profile: events in the order they are added (times scattered around a
/// base instant, on a coarse grid so that window edges and equal times are common), a window, a
/// time zone, and instants to evaluate at (many of them exactly on an event or a window edge).
/// </summary>
internal sealed record AggregationScenario(
    ImmutableArray<AggregateEvent> Events,
    Window Window,
    int UniqueDays,
    TimeZoneInfo TimeZone,
    ImmutableArray<DateTimeOffset> Nows)
{
    public static readonly DateTimeOffset BaseTime = new(2025, 3, 30, 0, 0, 0, TimeSpan.Zero);

    public static readonly PropertyPath Amount = new(["amount"]);

    public static readonly Window[] Windows =
    [
        new(1, DurationUnit.Minutes), new(5, DurationUnit.Minutes), new(90, DurationUnit.Minutes),
        new(1, DurationUnit.Hours), new(24, DurationUnit.Hours), new(1, DurationUnit.Days),
        new(3, DurationUnit.Days), new(7, DurationUnit.Days), new(1, DurationUnit.Weeks),
        new(2, DurationUnit.Weeks), Window.All, Window.All,
    ];

    public static readonly TimeZoneInfo[] TimeZones =
    [
        TimeZoneInfo.Utc,
        TimeZoneInfo.CreateCustomTimeZone("Test/Plus0530", TimeSpan.FromMinutes(330), "+05:30", "+05:30"),
        MidnightDstZone(),
        SystemZoneOrUtc("Europe/Berlin"),
    ];

    /// <summary>Every aggregate kind over <see cref="Amount"/>, with this scenario's windows.</summary>
    public IEnumerable<AggregateRequirement> Requirements()
    {
        foreach (var kind in Enum.GetValues<AggregateKind>())
        {
            var property = kind is AggregateKind.Count or AggregateKind.UniqueDays or AggregateKind.FirstSeen or AggregateKind.LastSeen
                ? null
                : Amount;
            var window = kind switch
            {
                AggregateKind.UniqueDays => new Window(UniqueDays, DurationUnit.Days),
                AggregateKind.First or AggregateKind.Last or AggregateKind.FirstSeen or AggregateKind.LastSeen => Window.All,
                _ => Window,
            };
            yield return new AggregateRequirement("e", null, kind, property, window);
        }
    }

    /// <summary>A fresh aggregator for <paramref name="requirement"/> fed with <paramref name="events"/> in order.</summary>
    public Aggregator Build(AggregateRequirement requirement, IEnumerable<AggregateEvent> events)
    {
        var aggregator = Aggregator.Create(requirement, TimeZone);
        foreach (var e in events)
        {
            aggregator.Add(e);
        }

        return aggregator;
    }

    /// <summary>Every instant at which some aggregate's value may change: events arriving and leaving, local midnights.</summary>
    public SortedSet<DateTimeOffset> ChangeCandidates(AggregateRequirement requirement)
    {
        var candidates = new SortedSet<DateTimeOffset>();
        foreach (var e in Events)
        {
            candidates.Add(e.Time);
            if (!requirement.Window.IsAll)
            {
                candidates.Add(e.Time + requirement.Window.Length);
            }
        }

        if (requirement.Kind == AggregateKind.UniqueDays)
        {
            var first = TimeZoneInfo.ConvertTime(BaseTime.AddDays(-40), TimeZone).Date;
            for (var day = 0; day < 100; day++)
            {
                candidates.Add(AggregateOracle.StartOfDay(first.AddDays(day), TimeZone));
            }
        }

        return candidates;
    }

    public override string ToString()
    {
        var events = string.Join(", ", Events.Select(e => $"{Offset(e.Time)}:{e.Properties.Member("amount")}"));
        var nows = string.Join(", ", Nows.Select(Offset));
        return $"window {Window}, unique_days {UniqueDays}d, zone {TimeZone.Id}, events [{events}], nows [{nows}]";
    }

    public static Arbitrary<AggregationScenario> Arbitrary() => Arb.From(Generator());

    public static Gen<AggregationScenario> Generator() =>
        from events in EventGen().ListOf().Select(l => l.Take(40).ToImmutableArray())
        from window in Gen.Elements(Windows)
        from uniqueDays in Gen.Elements(1, 2, 3, 7, 14)
        from zone in Gen.Elements(TimeZones)
        from nows in NowGen(events, window, uniqueDays).ArrayOf(6)
        select new AggregationScenario(events, window, uniqueDays, zone, [.. nows]);

    private static Gen<AggregateEvent> EventGen() =>
        from time in TimeGen()
        from properties in PropertiesGen()
        select new AggregateEvent(time, properties);

    private static Gen<DateTimeOffset> TimeGen() => Gen.Frequency(
        (4, Gen.Choose(-20 * 96, 20 * 96).Select(quarters => BaseTime.AddMinutes(quarters * 15))),
        (2, Gen.Choose(-40, 40).Select(halfDays => BaseTime.AddHours(halfDays * 12))),
        (1, Gen.Choose(-3, 3).Select(minutes => BaseTime.AddMinutes(minutes))),
        (1, Gen.Choose(-20 * 24 * 60, 20 * 24 * 60).Zip(Gen.Choose(0, 59_999))
            .Select(p => BaseTime.AddMinutes(p.Item1).AddMilliseconds(p.Item2))));

    private static Gen<Value> PropertiesGen() => Gen.Frequency(
        (6, Gen.Choose(-20, 20).Select(quarters => Object(Value.Number(quarters / 4.0)))),
        (2, Gen.Elements("a", "b", "1").Select(text => Object(Value.String(text)))),
        (1, Gen.Elements(true, false).Select(flag => Object(Value.Bool(flag)))),
        (1, Gen.Constant(Object(Value.Null))),
        (2, Gen.Constant(Value.Object([]))));

    private static Value Object(Value amount) => Value.Object([KeyValuePair.Create("amount", amount)]);

    private static Gen<DateTimeOffset> NowGen(ImmutableArray<AggregateEvent> events, Window window, int uniqueDays)
    {
        var length = window.IsAll ? TimeSpan.FromDays(uniqueDays) : window.Length;
        var onGrid = TimeGen();
        if (events.IsEmpty)
        {
            return onGrid;
        }

        var nearEvent =
            from e in Gen.Elements<AggregateEvent>(events)
            from shift in Gen.Elements(TimeSpan.Zero, length, length - TimeSpan.FromTicks(1), -TimeSpan.FromTicks(1), TimeSpan.FromMinutes(3))
            select e.Time + shift;
        return Gen.Frequency((1, onGrid), (2, nearEvent));
    }

    private static string Offset(DateTimeOffset time) =>
        (time - BaseTime).TotalMinutes.ToString("0.####", CultureInfo.InvariantCulture) + "m";

    // UTC−3 with summer time from 25 March to 6 April, both switches at local midnight: the day of
    // the first has no 00:00 (midnight becomes 01:00), and 5 April ends at 24:00 back to 23:00.
    private static TimeZoneInfo MidnightDstZone()
    {
        var midnight = new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
            new DateTime(2099, 12, 31, 0, 0, 0, DateTimeKind.Unspecified),
            TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(midnight, 3, 25),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(midnight, 4, 6));
        return TimeZoneInfo.CreateCustomTimeZone("Test/MidnightDst", TimeSpan.FromHours(-3), "Midnight DST", "Standard", "Summer", [rule]);
    }

    private static TimeZoneInfo SystemZoneOrUtc(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
