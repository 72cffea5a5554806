namespace TinyCdp.Ingestion;

/// <summary>
/// Decides when a message happened (SEMANTICS.md §1, "Event time"): the device's
/// <c>timestamp</c>, corrected for the device's clock skew and never far in the future.
/// </summary>
internal static class EventTime
{
    /// <summary>How far after the receive time an event time may be before it is clamped to the receive time.</summary>
    public static readonly TimeSpan MaxFuture = TimeSpan.FromMinutes(5);

    /// <summary>Resolves the event time of a message.</summary>
    /// <param name="timestamp">When it happened by the device's clock (<c>timestamp</c>), if sent.</param>
    /// <param name="sentAt">When the device sent it by the same clock (<c>sentAt</c>), if sent.</param>
    /// <param name="receivedAt">When the engine received it.</param>
    /// <returns>
    /// <para>
    /// <c>Time</c>, at offset zero: without a <paramref name="timestamp"/>, the receive time
    /// (a <paramref name="sentAt"/> alone changes nothing, as in Segment: the event is taken to have
    /// happened when it was received). With a timestamp but no <paramref name="sentAt"/>, the
    /// timestamp. With both, <c>timestamp + (receivedAt − sentAt)</c>, which removes the device's
    /// clock error (and the network delay, which is small). A result more than
    /// <see cref="MaxFuture"/> after <paramref name="receivedAt"/> (or after
    /// <see cref="DateTimeOffset.MaxValue"/>) becomes the receive time; a
    /// result before <see cref="DateTimeOffset.MinValue"/> becomes that.
    /// </para>
    /// <para>
    /// <c>Original</c>: the timestamp as sent when <c>Time</c> differs from it, otherwise null
    /// (also null without a timestamp).
    /// </para>
    /// <para>
    /// Every input is first truncated to whole milliseconds (toward the past), so both results are
    /// whole milliseconds and equal to what the stores keep; a timestamp with microseconds is
    /// therefore not reported as changed by the truncation alone.
    /// </para>
    /// </returns>
    public static (DateTimeOffset Time, DateTimeOffset? Original) Resolve(DateTimeOffset? timestamp, DateTimeOffset? sentAt, DateTimeOffset receivedAt)
    {
        var received = Truncate(receivedAt.UtcTicks);
        if (timestamp is not { } sent)
        {
            return (At(received), null);
        }

        var original = Truncate(sent.UtcTicks);
        var time = sentAt is { } sentAtValue ? (Int128)original + (received - Truncate(sentAtValue.UtcTicks)) : original;
        if (time > received + MaxFuture.Ticks || time > DateTimeOffset.MaxValue.UtcTicks)
        {
            time = received;
        }
        else if (time < DateTimeOffset.MinValue.UtcTicks)
        {
            time = DateTimeOffset.MinValue.UtcTicks;
        }

        var result = (long)time;
        return (At(result), result == original ? null : At(original));
    }

    /// <summary>
    /// <paramref name="instant"/> truncated to whole milliseconds (toward the past), at offset
    /// zero: how the engine and its stores keep every instant.
    /// </summary>
    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset instant) => At(Truncate(instant.UtcTicks));

    // UTC ticks are never negative, so subtracting the remainder truncates toward the past.
    private static long Truncate(long utcTicks) => utcTicks - (utcTicks % TimeSpan.TicksPerMillisecond);

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
