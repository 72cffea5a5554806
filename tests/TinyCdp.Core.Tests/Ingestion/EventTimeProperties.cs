using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Ingestion;

public class EventTimeProperties
{
    private static readonly DateTimeOffset Base = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Instants within ten years of 2024 with random sub-millisecond ticks and offsets, and now and
    // then the extremes of DateTimeOffset.
    private static readonly Gen<DateTimeOffset> Instants = Gen.Frequency(
        (20, from days in Gen.Choose(-3_650, 3_650)
             from ms in Gen.Choose(0, 86_399_999)
             from ticks in Gen.Choose(0, 9_999)
             from offsetMinutes in Gen.Elements(0, 60, -300, 330, 840, -840)
             select Base.AddDays(days).AddMilliseconds(ms).AddTicks(ticks).ToOffset(TimeSpan.FromMinutes(offsetMinutes))),
        (1, Gen.Elements(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue.AddMinutes(-3))));

    private static readonly Gen<DateTimeOffset?> MaybeInstants =
        Gen.Frequency((4, Instants.Select(i => (DateTimeOffset?)i)), (1, Gen.Constant((DateTimeOffset?)null)));

    // Differences from a few milliseconds to days, either way.
    private static readonly Gen<TimeSpan> Skews =
        from scale in Gen.Elements(1L, 1_000L, 60_000L, 3_600_000L, 86_400_000L)
        from amount in Gen.Choose(-10_000, 10_000)
        select TimeSpan.FromMilliseconds(scale * amount / 1_000.0);

    // (timestamp, sentAt, receivedAt): independent instants or a device clock off by a skew.
    private static readonly Arbitrary<(DateTimeOffset? Timestamp, DateTimeOffset? SentAt, DateTimeOffset ReceivedAt)> Inputs =
        Gen.OneOf(
            from timestamp in MaybeInstants
            from sentAt in MaybeInstants
            from received in Instants
            select (timestamp, sentAt, received),
            from received in Instants.Where(i => i.Year is > 1 and < 9999)
            from skew in Skews
            from lag in Skews
            let sentAt = received + skew
            select ((DateTimeOffset?)(sentAt - lag), (DateTimeOffset?)sentAt, received))
        .ToArbitrary();

    private static DateTimeOffset Ms(DateTimeOffset instant) => EventTime.TruncateToMilliseconds(instant);


    [Property(MaxTest = 1000)]
    public Property Resolve_NoSentAt_IsTheTimestampOrReceivedAt() =>
        Prop.ForAll(Inputs, input =>
        {
            var (time, _) = EventTime.Resolve(input.Timestamp, null, input.ReceivedAt);
            var received = Ms(input.ReceivedAt);
            if (input.Timestamp is not { } timestamp)
            {
                return time == received;
            }

            return Ms(timestamp) - received <= EventTime.MaxFuture ? time == Ms(timestamp) : time == received;
        });

    [Property(MaxTest = 1000)]
    public Property Resolve_WithSentAt_RemovesTheSkewExactlyUnlessClamped() =>
        Prop.ForAll(Inputs, input =>
        {
            if (input.Timestamp is not { } timestamp || input.SentAt is not { } sentAt)
            {
                return true;
            }

            var (time, _) = EventTime.Resolve(timestamp, sentAt, input.ReceivedAt);
            var received = Ms(input.ReceivedAt);
            var expectedTicks = (Int128)Ms(timestamp).UtcTicks + (received.UtcTicks - Ms(sentAt).UtcTicks);
            if (expectedTicks > (Int128)received.UtcTicks + EventTime.MaxFuture.Ticks || expectedTicks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return time == received;
            }

            return expectedTicks < DateTimeOffset.MinValue.UtcTicks ? time == DateTimeOffset.MinValue : time.UtcTicks == expectedTicks;
        });

    [Property(MaxTest = 1000)]
    public Property Resolve_AnyInput_NeverMoreThanFiveMinutesAfterReceivedAt() =>
        Prop.ForAll(Inputs, input =>
        {
            var (time, _) = EventTime.Resolve(input.Timestamp, input.SentAt, input.ReceivedAt);
            return time - input.ReceivedAt <= EventTime.MaxFuture;
        });

    [Property(MaxTest = 1000)]
    public Property Resolve_AnyInput_OriginalSetIffTheTimeChanged() =>
        Prop.ForAll(Inputs, input =>
        {
            var (time, original) = EventTime.Resolve(input.Timestamp, input.SentAt, input.ReceivedAt);
            return input.Timestamp is { } timestamp
                ? (time == Ms(timestamp)) == (original is null) && (original is null || original == Ms(timestamp))
                : original is null;
        });

    [Property(MaxTest = 1000)]
    public Property Resolve_AnyInput_WholeMillisecondsAtOffsetZero() =>
        Prop.ForAll(Inputs, input =>
        {
            var (time, original) = EventTime.Resolve(input.Timestamp, input.SentAt, input.ReceivedAt);
            return time.Offset == TimeSpan.Zero && time.UtcTicks % TimeSpan.TicksPerMillisecond == 0
                && (original is not { } o || (o.Offset == TimeSpan.Zero && o.UtcTicks % TimeSpan.TicksPerMillisecond == 0));
        });

    [Property(MaxTest = 1000)]
    public Property Resolve_SameInstantsAtOtherOffsets_SameResult() =>
        Prop.ForAll(Inputs, input =>
        {
            static DateTimeOffset Shift(DateTimeOffset instant) => instant.Year is > 1 and < 9999 ? instant.ToOffset(TimeSpan.FromHours(-7)) : instant;

            var utc = EventTime.Resolve(input.Timestamp?.ToUniversalTime(), input.SentAt?.ToUniversalTime(), input.ReceivedAt.ToUniversalTime());
            var shifted = EventTime.Resolve(input.Timestamp is { } t ? Shift(t) : null, input.SentAt is { } s ? Shift(s) : null, Shift(input.ReceivedAt));
            return utc == shifted;
        });
}
