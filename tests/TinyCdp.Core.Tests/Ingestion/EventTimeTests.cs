using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Ingestion;

public class EventTimeTests
{
    private static readonly DateTimeOffset Received = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Resolve_NoTimestamp_IsReceivedAt()
    {
        Assert.Equal((Received, null), EventTime.Resolve(null, null, Received));
    }

    [Fact]
    public void Resolve_SentAtWithoutTimestamp_IsReceivedAt()
    {
        Assert.Equal((Received, null), EventTime.Resolve(null, Received.AddHours(-3), Received));
    }

    [Fact]
    public void Resolve_TimestampWithoutSentAt_IsTheTimestamp()
    {
        var timestamp = Received.AddDays(-2);

        Assert.Equal((timestamp, null), EventTime.Resolve(timestamp, null, Received));
    }

    [Fact]
    public void Resolve_DeviceClockAnHourAhead_RemovesTheSkew()
    {
        // The device's clock is an hour fast: it says the event happened at 13:00:00 and was sent at 13:00:10.
        var timestamp = Received.AddHours(1);
        var sentAt = Received.AddHours(1).AddSeconds(10);

        var (time, original) = EventTime.Resolve(timestamp, sentAt, Received);

        Assert.Equal(Received.AddSeconds(-10), time);
        Assert.Equal(timestamp, original);
    }

    [Fact]
    public void Resolve_NoSkew_KeepsTheTimestampWithoutOriginal()
    {
        var timestamp = Received.AddMinutes(-1);

        Assert.Equal((timestamp, null), EventTime.Resolve(timestamp, Received, Received));
    }

    [Fact]
    public void Resolve_TimestampFiveMinutesAhead_IsKept()
    {
        var timestamp = Received.AddMinutes(5);

        Assert.Equal((timestamp, null), EventTime.Resolve(timestamp, null, Received));
    }

    [Fact]
    public void Resolve_TimestampJustOverFiveMinutesAhead_IsClampedToReceivedAt()
    {
        var timestamp = Received.AddMinutes(5).AddMilliseconds(1);

        Assert.Equal((Received, timestamp), EventTime.Resolve(timestamp, null, Received));
    }

    [Fact]
    public void Resolve_CorrectedTimeInTheFuture_IsClampedToReceivedAt()
    {
        // Sent "a day before" it happened: the correction would put it a day in the future.
        var timestamp = Received.AddMinutes(-1);
        var sentAt = Received.AddDays(-1);

        Assert.Equal((Received, timestamp), EventTime.Resolve(timestamp, sentAt, Received));
    }

    [Fact]
    public void Resolve_ClampedToTheTimestampItself_HasNoOriginal()
    {
        Assert.Equal((Received, null), EventTime.Resolve(Received, Received.AddDays(-1), Received));
    }

    [Fact]
    public void Resolve_SubMillisecondInputs_AreTruncatedAndNotReportedAsChanged()
    {
        var timestamp = Received.AddMinutes(-1).AddTicks(1_234);

        var (time, original) = EventTime.Resolve(timestamp, null, Received.AddTicks(9_999));

        Assert.Equal(Received.AddMinutes(-1), time);
        Assert.Null(original);
    }

    [Fact]
    public void Resolve_Offsets_ResultIsUtc()
    {
        var timestamp = new DateTimeOffset(2024, 5, 1, 13, 0, 0, TimeSpan.FromHours(2));

        var (time, _) = EventTime.Resolve(timestamp, null, Received);

        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(Received.AddHours(-1), time);
    }

    [Fact]
    public void Resolve_ExtremeInstants_NeverThrow()
    {
        Assert.Equal(DateTimeOffset.MinValue, EventTime.Resolve(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.MinValue).Time);
        Assert.Equal(EventTime.TruncateToMilliseconds(DateTimeOffset.MaxValue), EventTime.Resolve(DateTimeOffset.MaxValue, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Time);
        Assert.Equal(EventTime.TruncateToMilliseconds(DateTimeOffset.MaxValue), EventTime.Resolve(DateTimeOffset.MaxValue.AddMinutes(-1), DateTimeOffset.MaxValue.AddMinutes(-3), DateTimeOffset.MaxValue.AddMinutes(-2)).Time);
    }

    [Fact]
    public void TruncateToMilliseconds_DropsTicksBelowOneMillisecond()
    {
        Assert.Equal(Received, EventTime.TruncateToMilliseconds(Received.AddTicks(9_999)));
        Assert.Equal(TimeSpan.Zero, EventTime.TruncateToMilliseconds(new DateTimeOffset(2024, 5, 1, 14, 0, 0, TimeSpan.FromHours(2))).Offset);
    }
}
