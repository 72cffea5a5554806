using TinyCdp.Ingestion;

namespace TinyCdp.Storage;

/// <summary>One accepted message, as stored.</summary>
/// <param name="Sequence">Assigned by the engine, increasing in acceptance order.</param>
/// <param name="MessageId">The caller's or the engine's message id (unique).</param>
/// <param name="ProfileId">The profile the message belongs to (updated when profiles merge).</param>
/// <param name="Kind">The kind of message.</param>
/// <param name="Name">The event name: the track event, <c>$page</c>, <c>$screen</c>, <c>$group</c>, <c>$identify</c> or <c>$alias</c>.</param>
/// <param name="Timestamp">The event time after skew correction and clamping.</param>
/// <param name="ReceivedAt">When the engine received it.</param>
/// <param name="OriginalTimestamp">The timestamp as sent, when it was corrected or clamped.</param>
/// <param name="PropertiesJson">Event properties (a JSON object).</param>
/// <param name="TraitsJson">Identify or group traits (a JSON object), if any.</param>
public sealed record StoredEvent(
    long Sequence,
    string MessageId,
    Guid ProfileId,
    MessageKind Kind,
    string Name,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? OriginalTimestamp,
    string PropertiesJson,
    string? TraitsJson);
