using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// One event handed to an <see cref="Aggregator"/>: it already matched the aggregate's event name
/// and <c>where(...)</c> filter, so all that is left is when it happened and what it carried.
/// </summary>
/// <param name="Time">The event time (after clock-skew correction and clamping).</param>
/// <param name="Properties">The event's properties, an object value (null or any other kind reads as "no properties").</param>
internal readonly record struct AggregateEvent(DateTimeOffset Time, Value Properties);
