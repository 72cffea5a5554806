using TinyCdp.Aggregation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>Exact values at the edges of SEMANTICS.md §3 and LANGUAGE.md "Event aggregates".</summary>
public sealed class AggregatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly PropertyPath Amount = new(["amount"]);
    private static readonly Window Days30 = new(30, DurationUnit.Days);
    private static readonly Window Hours24 = new(24, DurationUnit.Hours);

    [Fact]
    public void Count_EventExactlyOneWindowAgo_IsNotCounted()
    {
        var count = Create(AggregateKind.Count, Days30, null, At(Now.AddDays(-30)));

        Assert.Equal(Value.Number(0), count.Evaluate(Now));
        Assert.Equal(Value.Number(1), count.Evaluate(Now.AddTicks(-1)));
    }

    [Fact]
    public void Count_EventExactlyAtNow_IsCounted()
    {
        var count = Create(AggregateKind.Count, Days30, null, At(Now));

        Assert.Equal(Value.Number(1), count.Evaluate(Now));
        Assert.Equal(Value.Number(0), count.Evaluate(Now.AddTicks(-1)));
    }

    [Fact]
    public void Count_FutureDatedEvent_CountsFromItsTimeOn()
    {
        var count = Create(AggregateKind.Count, Window.All, null, At(Now.AddMinutes(5)));

        Assert.Equal(Value.Number(0), count.Evaluate(Now));
        Assert.Equal(Now.AddMinutes(5), count.NextChange(Now));
        Assert.Equal(Value.Number(1), count.Evaluate(Now.AddMinutes(5)));
        Assert.Null(count.NextChange(Now.AddMinutes(5)));
    }

    [Fact]
    public void NextChange_FiniteWindow_IsOldestEventLeavingOrNextEventArriving()
    {
        var count = Create(AggregateKind.Count, Hours24, null, At(Now.AddHours(-20)), At(Now.AddHours(-2)), At(Now.AddHours(6)));

        Assert.Equal(Now.AddHours(4), count.NextChange(Now));
        Assert.Equal(Now.AddHours(6), count.NextChange(Now.AddHours(4)));
        Assert.Equal(Now.AddHours(22), count.NextChange(Now.AddHours(6)));
        Assert.Equal(Now.AddHours(30), count.NextChange(Now.AddHours(22)));
        Assert.Null(count.NextChange(Now.AddHours(30)));
    }

    [Fact]
    public void Sum_NoEvents_IsZero()
    {
        var sum = Create(AggregateKind.Sum, Days30, Amount);

        Assert.Equal(Value.Number(0), sum.Evaluate(Now));
        Assert.Equal(0, sum.CountedEvents(Now));
    }

    [Theory]
    [InlineData(nameof(AggregateKind.Avg))]
    [InlineData(nameof(AggregateKind.Min))]
    [InlineData(nameof(AggregateKind.Max))]
    [InlineData(nameof(AggregateKind.First))]
    [InlineData(nameof(AggregateKind.Last))]
    public void Evaluate_NoEvents_IsNull(string kindName)
    {
        // By name: AggregateKind is internal, and a public test method cannot take it.
        var kind = Enum.Parse<AggregateKind>(kindName);
        var aggregator = Create(kind, kind is AggregateKind.First or AggregateKind.Last ? Window.All : Days30, Amount);

        Assert.Equal(Value.Null, aggregator.Evaluate(Now));
    }

    [Theory]
    [InlineData(nameof(AggregateKind.Sum), 10.0)]
    [InlineData(nameof(AggregateKind.Avg), 5.0)]
    [InlineData(nameof(AggregateKind.Min), 3.0)]
    [InlineData(nameof(AggregateKind.Max), 7.0)]
    public void Evaluate_MissingAndNonNumericValues_AreSkipped(string kindName, double expected)
    {
        var kind = Enum.Parse<AggregateKind>(kindName);
        var aggregator = Create(
            kind,
            Days30,
            Amount,
            At(Now.AddDays(-1), Value.Number(3)),
            At(Now.AddDays(-2), Value.String("12")),
            At(Now.AddDays(-3)),
            At(Now.AddDays(-4), Value.Null),
            At(Now.AddDays(-5), Value.Bool(true)),
            At(Now.AddDays(-6), Value.Number(7)));

        Assert.Equal(Value.Number(expected), aggregator.Evaluate(Now));
        Assert.Equal(2, aggregator.CountedEvents(Now));
    }

    [Fact]
    public void Avg_OnlyNonNumericValues_IsNull()
    {
        var avg = Create(AggregateKind.Avg, Days30, Amount, At(Now.AddDays(-1), Value.String("a")), At(Now.AddDays(-2)));

        Assert.Equal(Value.Null, avg.Evaluate(Now));
        Assert.Equal(0, avg.CountedEvents(Now));
    }

    [Fact]
    public void Sum_DecimalFractionsInAnyOrder_IsTheCorrectlyRoundedTotal()
    {
        // Adding 0.1 + 0.2 + 0.3 left to right gives 0.6000000000000001; the exact total of the
        // three doubles rounds to 0.6, and does so whatever the order.
        var forward = Create(AggregateKind.Sum, Days30, Amount, At(Now.AddDays(-3), Value.Number(0.1)), At(Now.AddDays(-2), Value.Number(0.2)), At(Now.AddDays(-1), Value.Number(0.3)));
        var backward = Create(AggregateKind.Sum, Days30, Amount, At(Now.AddDays(-1), Value.Number(0.3)), At(Now.AddDays(-2), Value.Number(0.2)), At(Now.AddDays(-3), Value.Number(0.1)));

        Assert.Equal(Value.Number(0.6), forward.Evaluate(Now));
        Assert.Equal(Value.Number(0.6), backward.Evaluate(Now));
    }

    [Fact]
    public void Sum_LargeAndSmallValues_KeepsTheSmallOnes()
    {
        var sum = Create(AggregateKind.Sum, Days30, Amount, At(Now.AddDays(-3), Value.Number(1e15)), At(Now.AddDays(-2), Value.Number(0.25)), At(Now.AddDays(-1), Value.Number(-1e15)));

        Assert.Equal(Value.Number(0.25), sum.Evaluate(Now));
    }

    [Fact]
    public void Distinct_NullAndMissingValues_AreNotCounted()
    {
        var distinct = Create(AggregateKind.Distinct, Days30, Amount, At(Now.AddDays(-1), Value.Null), At(Now.AddDays(-2)), At(Now.AddDays(-3), Value.String("a")));

        Assert.Equal(Value.Number(1), distinct.Evaluate(Now));
        Assert.Equal(1, distinct.CountedEvents(Now));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Distinct_ValuesOfDifferentKinds_AreDifferentAndEqualNumbersOne(bool all)
    {
        var distinct = Create(
            AggregateKind.Distinct,
            all ? Window.All : Days30,
            Amount,
            At(Now.AddDays(-1), Value.Number(1)),
            At(Now.AddDays(-2), Value.Number(1.0)),
            At(Now.AddDays(-3), Value.String("1")),
            At(Now.AddDays(-4), Value.Bool(true)),
            At(Now.AddDays(-5), Value.ParseJson("[1]")));

        Assert.Equal(Value.Number(4), distinct.Evaluate(Now));
        Assert.Equal(5, distinct.CountedEvents(Now));
    }

    [Fact]
    public void Distinct_All_LateEarlierOccurrenceMovesFirstAppearance()
    {
        var distinct = Create(AggregateKind.Distinct, Window.All, Amount, At(Now.AddDays(2), Value.String("a")));
        Assert.Equal(Value.Number(0), distinct.Evaluate(Now));
        Assert.Equal(Now.AddDays(2), distinct.NextChange(Now));

        distinct.Add(At(Now.AddDays(-1), Value.String("a")));

        Assert.Equal(Value.Number(1), distinct.Evaluate(Now));
        Assert.Null(distinct.NextChange(Now));
        Assert.Equal(2, distinct.CountedEvents(Now.AddDays(2)));
    }

    [Fact]
    public void UniqueDays_EventsEitherSideOfMidnight_AreTwoDays()
    {
        var midnight = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero);
        var days = Create(AggregateKind.UniqueDays, new Window(7, DurationUnit.Days), null, At(midnight.AddTicks(-1)), At(midnight), At(midnight.AddHours(1)));

        Assert.Equal(Value.Number(2), days.Evaluate(Now));
        Assert.Equal(3, days.CountedEvents(Now));
    }

    [Fact]
    public void UniqueDays_AtMidnight_OldestDayLeavesAndTodayStartsEmpty()
    {
        // unique_days(2d) at 15 June 12:00 counts 14 and 15 June.
        var days = Create(
            AggregateKind.UniqueDays,
            new Window(2, DurationUnit.Days),
            null,
            At(new DateTimeOffset(2025, 6, 14, 23, 0, 0, TimeSpan.Zero)),
            At(new DateTimeOffset(2025, 6, 15, 8, 0, 0, TimeSpan.Zero)));
        var midnight = new DateTimeOffset(2025, 6, 16, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(Value.Number(2), days.Evaluate(Now));
        Assert.Equal(midnight, days.NextChange(Now));
        Assert.Equal(Value.Number(2), days.Evaluate(midnight.AddTicks(-1)));
        Assert.Equal(Value.Number(1), days.Evaluate(midnight));
        Assert.Equal(midnight.AddDays(1), days.NextChange(midnight));
        Assert.Equal(Value.Number(0), days.Evaluate(midnight.AddDays(1)));
        Assert.Null(days.NextChange(midnight.AddDays(1)));
    }

    [Fact]
    public void UniqueDays_LaterTodayEvent_CountsOnlyOnceItHappens()
    {
        var days = Create(AggregateKind.UniqueDays, new Window(1, DurationUnit.Days), null, At(Now.AddHours(3)));

        Assert.Equal(Value.Number(0), days.Evaluate(Now));
        Assert.Equal(0, days.CountedEvents(Now));
        Assert.Equal(Now.AddHours(3), days.NextChange(Now));
        Assert.Equal(Value.Number(1), days.Evaluate(Now.AddHours(3)));
    }

    [Fact]
    public void UniqueDays_TimeZone_UsesLocalCalendarDays()
    {
        // 22:30 and 23:30 UTC on 14 June are 14 and 15 June in UTC+01:00 (no daylight saving here).
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/Plus1", TimeSpan.FromHours(1), "+01", "+01");
        var events = new[] { At(new DateTimeOffset(2025, 6, 14, 22, 30, 0, TimeSpan.Zero)), At(new DateTimeOffset(2025, 6, 14, 23, 30, 0, TimeSpan.Zero)) };
        var requirement = new AggregateRequirement("e", null, AggregateKind.UniqueDays, null, new Window(7, DurationUnit.Days));
        var utc = Aggregator.Create(requirement);
        var local = Aggregator.Create(requirement, zone);
        foreach (var e in events)
        {
            utc.Add(e);
            local.Add(e);
        }

        Assert.Equal(Value.Number(1), utc.Evaluate(Now));
        Assert.Equal(Value.Number(2), local.Evaluate(Now));
        Assert.Equal(new DateTimeOffset(2025, 6, 21, 0, 0, 0, TimeSpan.FromHours(1)), local.NextChange(Now));
    }

    [Fact]
    public void UniqueDays_Weeks_AreSevenDaysEach()
    {
        var days = Create(AggregateKind.UniqueDays, new Window(2, DurationUnit.Weeks), null, At(Now.AddDays(-13)), At(Now.AddDays(-14)));

        Assert.Equal(Value.Number(1), days.Evaluate(Now));
    }

    [Fact]
    public void First_EqualTimes_FirstAddedWins()
    {
        var first = Create(AggregateKind.First, Window.All, Amount, At(Now.AddDays(-1), Value.String("b")), At(Now.AddDays(-2), Value.String("x")), At(Now.AddDays(-2), Value.String("y")));

        Assert.Equal(Value.String("x"), first.Evaluate(Now));
    }

    [Fact]
    public void Last_EqualTimes_LastAddedWins()
    {
        var last = Create(AggregateKind.Last, Window.All, Amount, At(Now.AddDays(-1), Value.String("x")), At(Now.AddDays(-2), Value.String("b")), At(Now.AddDays(-1), Value.String("y")));

        Assert.Equal(Value.String("y"), last.Evaluate(Now));
    }

    [Fact]
    public void Last_LateOlderEvent_DoesNotReplaceNewer()
    {
        var last = Create(AggregateKind.Last, Window.All, Amount, At(Now.AddDays(-1), Value.String("new")), At(Now.AddDays(-9), Value.String("old")));

        Assert.Equal(Value.String("new"), last.Evaluate(Now));
        Assert.Equal(Value.String("old"), last.Evaluate(Now.AddDays(-5)));
    }

    [Fact]
    public void First_EarliestEventLacksProperty_IsNull()
    {
        var first = Create(AggregateKind.First, Window.All, Amount, At(Now.AddDays(-2)), At(Now.AddDays(-1), Value.Number(4)));

        Assert.Equal(Value.Null, first.Evaluate(Now));
        Assert.Equal(2, first.CountedEvents(Now));
    }

    [Fact]
    public void FirstSeenAndLastSeen_Events_AreUnixMilliseconds()
    {
        var early = Now.AddDays(-3).AddMilliseconds(7);
        var late = Now.AddDays(-1);
        var firstSeen = Create(AggregateKind.FirstSeen, Window.All, null, At(late), At(early));
        var lastSeen = Create(AggregateKind.LastSeen, Window.All, null, At(late), At(early));

        Assert.Equal(Value.Number(early.ToUnixTimeMilliseconds()), firstSeen.Evaluate(Now));
        Assert.Equal(Value.Number(late.ToUnixTimeMilliseconds()), lastSeen.Evaluate(Now));
        Assert.Equal(Value.Null, lastSeen.Evaluate(early.AddTicks(-1)));
    }

    [Fact]
    public void NextChange_FirstSeen_IsNullOnceSeenAndLastSeenIsNextEvent()
    {
        var firstSeen = Create(AggregateKind.FirstSeen, Window.All, null, At(Now.AddMinutes(-1)), At(Now.AddMinutes(2)));
        var lastSeen = Create(AggregateKind.LastSeen, Window.All, null, At(Now.AddMinutes(-1)), At(Now.AddMinutes(2)));

        Assert.Null(firstSeen.NextChange(Now));
        Assert.Equal(Now.AddMinutes(-1), firstSeen.NextChange(Now.AddMinutes(-2)));
        Assert.Equal(Now.AddMinutes(2), lastSeen.NextChange(Now));
    }

    [Fact]
    public void Compact_All_FoldsOldEventsIntoSummary()
    {
        var events = Enumerable.Range(0, 100).Select(i => At(Now.AddDays(-i), Value.Number(i))).ToArray();
        foreach (var (kind, expected) in new[]
        {
            (AggregateKind.Count, Value.Number(100)),
            (AggregateKind.Sum, Value.Number(4950)),
            (AggregateKind.Avg, Value.Number(49.5)),
            (AggregateKind.Min, Value.Number(0)),
            (AggregateKind.Max, Value.Number(99)),
            (AggregateKind.Distinct, Value.Number(100)),
            (AggregateKind.First, Value.Number(99)),
            (AggregateKind.Last, Value.Number(0)),
        })
        {
            var aggregator = Create(kind, Window.All, kind == AggregateKind.Count ? null : Amount, events);

            aggregator.Compact(Now.AddDays(-10));

            Assert.Equal(expected, aggregator.Evaluate(Now));
            Assert.Equal(100, aggregator.CountedEvents(Now));
            Assert.True(aggregator.RetainedEntries <= 2 * 10, $"{kind} keeps {aggregator.RetainedEntries} entries");
        }
    }

    [Fact]
    public void Compact_FiniteWindow_IgnoresLateEventsTooOldToMatter()
    {
        var count = Create(AggregateKind.Count, Hours24, null, At(Now.AddHours(-30)), At(Now.AddHours(-1)));

        count.Compact(Now);
        count.Add(At(Now.AddHours(-25)));
        count.Add(At(Now.AddHours(-23)));

        Assert.Equal(2, count.RetainedEntries);
        Assert.Equal(Value.Number(2), count.Evaluate(Now));
    }

    [Fact]
    public void Compact_All_LateOldEventsAreFolded()
    {
        var first = Create(AggregateKind.First, Window.All, Amount, At(Now.AddDays(-5), Value.String("a")));
        var sum = Create(AggregateKind.Sum, Window.All, Amount, At(Now.AddDays(-5), Value.Number(1)));

        first.Compact(Now);
        sum.Compact(Now);
        first.Add(At(Now.AddDays(-9), Value.String("older")));
        sum.Add(At(Now.AddDays(-9), Value.Number(2)));

        Assert.Equal(Value.String("older"), first.Evaluate(Now));
        Assert.Equal(Value.Number(3), sum.Evaluate(Now));
        Assert.Equal(0, first.RetainedEntries);
    }

    [Fact]
    public void Create_ValueAggregateWithoutProperty_Throws()
    {
        var requirement = new AggregateRequirement("e", null, AggregateKind.Sum, null, Days30);

        Assert.Throws<ArgumentException>(() => Aggregator.Create(requirement));
    }

    [Theory]
    [InlineData(36, nameof(DurationUnit.Hours))]
    [InlineData(90, nameof(DurationUnit.Minutes))]
    public void Create_UniqueDaysWithPartialDays_Throws(int amount, string unitName)
    {
        var unit = Enum.Parse<DurationUnit>(unitName);
        var requirement = new AggregateRequirement("e", null, AggregateKind.UniqueDays, null, new Window(amount, unit));

        Assert.Throws<ArgumentException>(() => Aggregator.Create(requirement));
    }

    private static Aggregator Create(AggregateKind kind, Window window, PropertyPath? property, params AggregateEvent[] events)
    {
        var aggregator = Aggregator.Create(new AggregateRequirement("e", null, kind, property, window));
        foreach (var e in events)
        {
            aggregator.Add(e);
        }

        return aggregator;
    }

    private static AggregateEvent At(DateTimeOffset time) => new(time, Value.Object([]));

    private static AggregateEvent At(DateTimeOffset time, Value amount) =>
        new(time, Value.Object([KeyValuePair.Create("amount", amount)]));
}
