using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Aggregation;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>Local calendar days, including zones whose clocks change at midnight.</summary>
public sealed class CalendarDaysTests
{
    private static readonly TimeZoneInfo[] Zones = [.. AggregationScenario.TimeZones, .. SystemZones("America/Santiago", "Asia/Beirut", "America/Havana", "Australia/Lord_Howe")];

    [Property(MaxTest = 300)]
    public Property DayOfAndStartOf_AnyInstant_MatchTimeZoneInfo() =>
        Prop.ForAll(Arb.From(Gen.Elements(Zones).Zip(Gen.Choose(0, 3 * 365 * 24 * 4))), input =>
        {
            var (zone, quarterHours) = input;
            var calendar = new CalendarDays(zone);
            var instant = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(15 * quarterHours).AddTicks(quarterHours % 7);
            var date = TimeZoneInfo.ConvertTime(instant, zone).Date;

            var day = calendar.DayOf(instant.UtcTicks);

            Assert.Equal(date.Ticks / TimeSpan.TicksPerDay, day);
            Assert.Equal(AggregateOracle.StartOfDay(date, zone).UtcTicks, calendar.StartOf(day));
            Assert.Equal(AggregateOracle.StartOfDay(date.AddDays(1), zone).UtcTicks, calendar.StartOf(day + 1));
        });

    [Fact]
    public void StartOf_MidnightSkipped_IsEndOfGap()
    {
        // Test/MidnightDst (UTC−3) springs forward at local midnight on 25 March: 00:00 becomes 01:00 (UTC−2).
        var calendar = new CalendarDays(AggregationScenario.TimeZones[2]);
        var day = new DateTime(2025, 3, 25).Ticks / TimeSpan.TicksPerDay;

        Assert.Equal(new DateTimeOffset(2025, 3, 25, 3, 0, 0, TimeSpan.Zero).UtcTicks, calendar.StartOf(day));
    }

    [Fact]
    public void StartOf_DayAfterFallBackAtMidnight_IsTwentyFiveHoursLater()
    {
        // On 6 April, 00:00 UTC−2 falls back to 23:00 UTC−3 on the 5th, so 5 April lasts 25 hours.
        var calendar = new CalendarDays(AggregationScenario.TimeZones[2]);
        var fifth = new DateTime(2025, 4, 5).Ticks / TimeSpan.TicksPerDay;

        Assert.Equal(TimeSpan.FromHours(25).Ticks, calendar.StartOf(fifth + 1) - calendar.StartOf(fifth));
        Assert.Equal(fifth, calendar.DayOf(new DateTimeOffset(2025, 4, 6, 2, 30, 0, TimeSpan.Zero).UtcTicks));
    }

    private static IEnumerable<TimeZoneInfo> SystemZones(params string[] ids)
    {
        foreach (var id in ids)
        {
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (TimeZoneNotFoundException)
            {
            }

            if (zone is not null)
            {
                yield return zone;
            }
        }
    }
}
