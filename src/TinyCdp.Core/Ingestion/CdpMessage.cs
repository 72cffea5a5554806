using TinyCdp.Language;

namespace TinyCdp.Ingestion;

/// <summary>
/// A message as an application sends it, in Segment's shape: track, identify, alias, page, screen
/// or group. Build one with the factory methods or an object initializer; the engine validates it
/// (limits, identifiers, names) before accepting it.
/// </summary>
public sealed record CdpMessage
{
    /// <summary>The kind of message.</summary>
    public required MessageKind Kind { get; init; }

    /// <summary>The application's user id (the seed's <c>externalId</c>).</summary>
    public string? UserId { get; init; }

    /// <summary>A device or anonymous id (the seed's <c>deviceId</c>).</summary>
    public string? AnonymousId { get; init; }

    /// <summary>For alias: the id being aliased to <see cref="UserId"/>.</summary>
    public string? PreviousId { get; init; }

    /// <summary>For group: the group's id.</summary>
    public string? GroupId { get; init; }

    /// <summary>For track: the event name. For page and screen: the page or screen name.</summary>
    public string? Event { get; init; }

    /// <summary>For page: the page category.</summary>
    public string? Category { get; init; }

    /// <summary>Event properties (a JSON object value, or null).</summary>
    public Value Properties { get; init; }

    /// <summary>Identify or group traits (a JSON object value, or null).</summary>
    public Value Traits { get; init; }

    /// <summary>When it happened on the device, if the sender says.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>When the device sent it (used to remove device clock skew).</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The sender's id for the message, used to drop retries; one is assigned when absent.</summary>
    public string? MessageId { get; init; }

    /// <summary>Segment's context object (library, ip, user agent …), kept as sent.</summary>
    public Value Context { get; init; }

    /// <summary>A track message.</summary>
    public static CdpMessage Track(string? userId, string @event, Value properties = default, DateTimeOffset? timestamp = null, string? anonymousId = null, string? messageId = null) =>
        new() { Kind = MessageKind.Track, UserId = userId, AnonymousId = anonymousId, Event = @event, Properties = properties, Timestamp = timestamp, MessageId = messageId };

    /// <summary>An identify message.</summary>
    public static CdpMessage Identify(string? userId, Value traits = default, DateTimeOffset? timestamp = null, string? anonymousId = null, string? messageId = null) =>
        new() { Kind = MessageKind.Identify, UserId = userId, AnonymousId = anonymousId, Traits = traits, Timestamp = timestamp, MessageId = messageId };

    /// <summary>An alias message: <paramref name="previousId"/> is the same person as <paramref name="userId"/>.</summary>
    public static CdpMessage Alias(string previousId, string userId, DateTimeOffset? timestamp = null, string? messageId = null) =>
        new() { Kind = MessageKind.Alias, PreviousId = previousId, UserId = userId, Timestamp = timestamp, MessageId = messageId };
}
