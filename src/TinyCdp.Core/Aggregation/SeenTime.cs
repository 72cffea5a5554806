using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>How <c>first_seen</c> and <c>last_seen</c> report an event time.</summary>
internal static class SeenTime
{
    /// <summary>The instant at UTC ticks <paramref name="ticks"/> as a number of Unix milliseconds (rounded down).</summary>
    public static Value ToValue(long ticks) =>
        Value.Number(new DateTimeOffset(ticks, TimeSpan.Zero).ToUnixTimeMilliseconds());
}
