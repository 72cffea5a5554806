namespace TinyCdp.Storage;

// The rows a store keeps. Plain records so every store maps them the same way; property bags are
// JSON text (objects), instants are UTC. One file because they are only meaningful together.
#pragma warning disable CA1711

/// <summary>The kind of a stored message.</summary>
public enum MessageKind
{
    /// <summary>A track event (activity).</summary>
    Track,

    /// <summary>An identify (traits for the profile; not activity).</summary>
    Identify,

    /// <summary>An alias (merges identities; not activity).</summary>
    Alias,

    /// <summary>A page view, stored as the event <c>$page</c> (activity).</summary>
    Page,

    /// <summary>A screen view, stored as the event <c>$screen</c> (activity).</summary>
    Screen,

    /// <summary>A group call, stored as the event <c>$group</c> (not activity).</summary>
    Group,
}

/// <summary>The kind of an identifier.</summary>
public enum IdentifierKind
{
    /// <summary>The application's user id (at most one per profile).</summary>
    UserId,

    /// <summary>A device or anonymous id.</summary>
    AnonymousId,

    /// <summary>Lower-case hex SHA-256 of the trimmed, lower-cased email address.</summary>
    EmailHash,
}

/// <summary>An identifier value of a kind.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Value">The value (for emails, the hash).</param>
public readonly record struct Identifier(IdentifierKind Kind, string Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Value}";
}

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

/// <summary>A profile row.</summary>
/// <param name="Id">The stable internal id.</param>
/// <param name="CreatedAt">When it was created (the oldest profile survives a merge).</param>
/// <param name="PropertiesJson">The profile properties (a JSON object).</param>
/// <param name="PropertyTimesJson">For each top-level property, the event time that set it (JSON object of ISO instants), for last-write-wins.</param>
/// <param name="MergedInto">Set when the profile was absorbed by another; its id keeps resolving there.</param>
/// <param name="Version">Incremented by every write that changes the profile row (new, properties, merge).</param>
public sealed record StoredProfile(Guid Id, DateTimeOffset CreatedAt, string PropertiesJson, string PropertyTimesJson, Guid? MergedInto, long Version);

/// <summary>A merge: <paramref name="Absorbed"/> became part of <paramref name="Survivor"/>.</summary>
/// <param name="Survivor">The profile that remains.</param>
/// <param name="Absorbed">The profile absorbed.</param>
/// <param name="At">When.</param>
/// <param name="MessageId">The message that caused it.</param>
public sealed record StoredMerge(Guid Survivor, Guid Absorbed, DateTimeOffset At, string MessageId);

/// <summary>Whether a profile is in a segment, and since when.</summary>
/// <param name="ProfileId">The profile.</param>
/// <param name="Segment">The segment key.</param>
/// <param name="InSegment">Membership.</param>
/// <param name="Since">When it last changed.</param>
/// <param name="UpdatedAt">When it was last evaluated.</param>
public sealed record StoredMembership(Guid ProfileId, string Segment, bool InSegment, DateTimeOffset Since, DateTimeOffset UpdatedAt);

/// <summary>A stored trait value.</summary>
/// <param name="ProfileId">The profile.</param>
/// <param name="Trait">The trait key.</param>
/// <param name="ValueJson">The value as JSON.</param>
/// <param name="UpdatedAt">When it was computed.</param>
public sealed record StoredTraitValue(Guid ProfileId, string Trait, string ValueJson, DateTimeOffset UpdatedAt);

/// <summary>A profile as a store loads it in one read: the row and everything stored under its id.</summary>
/// <param name="Profile">The profile row.</param>
/// <param name="Identifiers">Its identifiers, by kind then value (ordinal).</param>
/// <param name="Events">Its messages in sequence order.</param>
/// <param name="Memberships">Its stored memberships, by segment (ordinal).</param>
/// <param name="TraitValues">Its stored trait values, by trait (ordinal).</param>
public sealed record StoredProfileState(
    StoredProfile Profile,
    IReadOnlyList<Identifier> Identifiers,
    IReadOnlyList<StoredEvent> Events,
    IReadOnlyList<StoredMembership> Memberships,
    IReadOnlyList<StoredTraitValue> TraitValues);

/// <summary>Why a membership changed.</summary>
public enum ChangeCause
{
    /// <summary>A message arrived.</summary>
    Event,

    /// <summary>Time passed (a window or threshold moved).</summary>
    Time,

    /// <summary>A definition was saved or deleted.</summary>
    Definition,

    /// <summary>Profiles merged.</summary>
    Merge,

    /// <summary>The profile was deleted.</summary>
    Delete,
}

/// <summary>One entry of the membership change feed.</summary>
/// <param name="Cursor">Assigned by the store, increasing; 0 before it is stored.</param>
/// <param name="ProfileId">The profile.</param>
/// <param name="UserId">The profile's user id, if it has one.</param>
/// <param name="Segment">The segment key.</param>
/// <param name="Entered">True when the profile entered, false when it left.</param>
/// <param name="At">When the change happened.</param>
/// <param name="Cause">Why.</param>
public sealed record StoredChange(long Cursor, Guid ProfileId, string? UserId, string Segment, bool Entered, DateTimeOffset At, ChangeCause Cause);

/// <summary>The kind of a definition.</summary>
public enum DefinitionKind
{
    /// <summary>A trait.</summary>
    Trait,

    /// <summary>A segment.</summary>
    Segment,

    /// <summary>A flag.</summary>
    Flag,
}

/// <summary>A saved definition; its body is the JSON of the definition (expression, rule, flag).</summary>
/// <param name="Kind">Trait, segment or flag.</param>
/// <param name="Key">The key.</param>
/// <param name="BodyJson">The definition as JSON.</param>
/// <param name="Version">The catalog version at which it was last saved.</param>
/// <param name="CreatedAt">When it was first saved.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record StoredDefinition(DefinitionKind Kind, string Key, string BodyJson, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One change to the catalog, for its history.</summary>
/// <param name="Version">The catalog version the change produced.</param>
/// <param name="Kind">The definition's kind.</param>
/// <param name="Key">The definition's key.</param>
/// <param name="Actor">Who made it (an API key id, "cli", "app").</param>
/// <param name="At">When.</param>
/// <param name="BeforeJson">The body before (null when created).</param>
/// <param name="AfterJson">The body after (null when deleted).</param>
public sealed record StoredDefinitionChange(long Version, DefinitionKind Kind, string Key, string? Actor, DateTimeOffset At, string? BeforeJson, string? AfterJson);

/// <summary>What an API key may do (HTTP-API.md "Keys and tiers").</summary>
public enum ApiKeyKind
{
    /// <summary>Decide, OFREP, list definitions.</summary>
    Read,

    /// <summary>Everything read may, plus ingest.</summary>
    Write,

    /// <summary>Everything, including user data, exports and keys.</summary>
    Admin,
}

/// <summary>An API key as stored: only the SHA-256 of the secret is kept.</summary>
/// <param name="Id">The public id, shown in listings and used to revoke.</param>
/// <param name="Hash">Lower-case hex SHA-256 of the secret.</param>
/// <param name="Kind">The tier.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while it works.</param>
public sealed record StoredApiKey(string Id, string Hash, ApiKeyKind Kind, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

#pragma warning restore CA1711
