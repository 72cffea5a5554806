namespace TinyCdp.Aggregation;

/// <summary>A local calendar day with at least one retained event, and the time of its earliest event.</summary>
/// <param name="Day">The day, as days since 0001-01-01 in the engine time zone.</param>
/// <param name="FirstTicks">The UTC ticks of the day's earliest event.</param>
internal readonly record struct ActiveDay(long Day, long FirstTicks);
