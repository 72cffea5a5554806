using System.Text;
using TinyCdp.AspNetCore.Endpoints.Decide;

namespace TinyCdp.Server.Tests;

/// <summary>The decide answer's <c>validUntil</c>, written digit by digit, is the seed's ISO-8601 text.</summary>
public class DecisionJsonTests
{
    public static TheoryData<DateTimeOffset> Instants => new()
    {
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        DateTimeOffset.UnixEpoch,
        new DateTimeOffset(2026, 12, 26, 6, 27, 23, 748, TimeSpan.Zero),
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.FromHours(-9.5)),
        new DateTimeOffset(999, 9, 9, 23, 59, 59, 999, TimeSpan.FromHours(14)),
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void TryWriteTimestamp_SameTextAsTheFormatString(DateTimeOffset instant) => AssertSame(instant);

    [Fact]
    public void TryWriteTimestamp_ManyInstants_SameTextAsTheFormatString()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 10_000; i++)
        {
            var ticks = random.NextInt64(DateTimeOffset.MinValue.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay);
            AssertSame(new DateTimeOffset(ticks, TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60))));
        }
    }

    [Fact]
    public void TryWriteTimestamp_ShortDestination_False() =>
        Assert.False(DecisionJson.TryWriteTimestamp(DateTimeOffset.UnixEpoch, new byte[DecisionJson.TimestampLength - 1]));

    private static void AssertSame(DateTimeOffset instant)
    {
        var buffer = new byte[DecisionJson.TimestampLength];
        Assert.True(DecisionJson.TryWriteTimestamp(instant, buffer));
        Assert.Equal(DecisionJson.Timestamp(instant), Encoding.UTF8.GetString(buffer));
    }
}
