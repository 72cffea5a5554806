using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

// The rows as the database holds them, as Dapper maps query results (SELECTs alias their columns to
// these property names; timestamptz arrives as a UTC DateTime). Commits bind arrays of values directly
// (PostgresCdpStore.Commit.cs). Conversions live in PostgresCodes.

internal sealed class ProfileRow
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public string Properties { get; set; } = "";
    public string PropertyTimes { get; set; } = "";
    public Guid? MergedInto { get; set; }
    public long Version { get; set; }

    public const string Columns =
        "id AS Id, created_at AS CreatedAt, properties AS Properties, property_times AS PropertyTimes, merged_into AS MergedInto, version AS Version";

    public StoredProfile ToRecord() => new(Id, Instant(CreatedAt), Properties, PropertyTimes, MergedInto, Version);
}

internal sealed class IdentifierRow
{
    public short Kind { get; set; }
    public string Value { get; set; } = "";
    public Guid ProfileId { get; set; }

    public const string Columns = "kind AS Kind, value AS Value, profile_id AS ProfileId";

    public Identifier ToIdentifier() => new(ToIdentifierKind(Kind), Value);
}

internal sealed class EventRow
{
    public long Sequence { get; set; }
    public string MessageId { get; set; } = "";
    public Guid ProfileId { get; set; }
    public short Kind { get; set; }
    public string Name { get; set; } = "";
    public DateTime Timestamp { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime? OriginalTimestamp { get; set; }
    public string Properties { get; set; } = "";
    public string? Traits { get; set; }

    public const string Columns =
        "sequence AS Sequence, message_id AS MessageId, profile_id AS ProfileId, kind AS Kind, name AS Name, event_time AS Timestamp, " +
        "received_at AS ReceivedAt, original_timestamp AS OriginalTimestamp, properties AS Properties, traits AS Traits";

    public StoredEvent ToRecord() =>
        new(Sequence, MessageId, ProfileId, ToMessageKind(Kind), Name, Instant(Timestamp), Instant(ReceivedAt),
            NullableInstant(OriginalTimestamp), Properties, Traits);
}

internal sealed class MergeRow
{
    public Guid Survivor { get; set; }
    public Guid Absorbed { get; set; }
    public DateTime At { get; set; }
    public string MessageId { get; set; } = "";

    public const string Columns = "survivor AS Survivor, absorbed AS Absorbed, at AS At, message_id AS MessageId";

    public StoredMerge ToRecord() => new(Survivor, Absorbed, Instant(At), MessageId);
}

internal sealed class MembershipRow
{
    public Guid ProfileId { get; set; }
    public string Segment { get; set; } = "";
    public bool InSegment { get; set; }
    public DateTime Since { get; set; }
    public DateTime UpdatedAt { get; set; }

    public const string Columns =
        "profile_id AS ProfileId, segment AS Segment, in_segment AS InSegment, since AS Since, updated_at AS UpdatedAt";

    public StoredMembership ToRecord() => new(ProfileId, Segment, InSegment, Instant(Since), Instant(UpdatedAt));
}

internal sealed class TraitValueRow
{
    public Guid ProfileId { get; set; }
    public string Trait { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTime UpdatedAt { get; set; }

    public const string Columns = "profile_id AS ProfileId, trait AS Trait, value AS Value, updated_at AS UpdatedAt";

    public StoredTraitValue ToRecord() => new(ProfileId, Trait, Value, Instant(UpdatedAt));
}

internal sealed class ChangeRow
{
    public long Cursor { get; set; }
    public Guid ProfileId { get; set; }
    public string? UserId { get; set; }
    public string Segment { get; set; } = "";
    public bool Entered { get; set; }
    public DateTime At { get; set; }
    public short Cause { get; set; }

    public const string Columns =
        "cursor AS Cursor, profile_id AS ProfileId, user_id AS UserId, segment AS Segment, entered AS Entered, at AS At, cause AS Cause";

    public StoredChange ToRecord() => new(Cursor, ProfileId, UserId, Segment, Entered, Instant(At), ToChangeCause(Cause));
}

/// <summary>The catalog version joined with each definition (one row with null definition columns when there are none).</summary>
internal sealed class CatalogRow
{
    public long CatalogVersion { get; set; }
    public short? Kind { get; set; }
    public string? Key { get; set; }
    public string? Body { get; set; }
    public long? Version { get; set; }
    public DateTime? CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public const string Query =
        "SELECT c.version AS CatalogVersion, d.kind AS Kind, d.key AS Key, d.body AS Body, d.version AS Version, " +
        "d.created_at AS CreatedAt, d.updated_at AS UpdatedAt FROM catalog c LEFT JOIN definitions d ON true WHERE c.id = 1";

    public StoredDefinition? ToRecord() =>
        Kind is { } kind
            ? new(ToDefinitionKind(kind), Key!, Body!, Version!.Value, Instant(CreatedAt!.Value), Instant(UpdatedAt!.Value))
            : null;
}

internal sealed class DefinitionChangeRow
{
    public long Version { get; set; }
    public short Kind { get; set; }
    public string Key { get; set; } = "";
    public string? Actor { get; set; }
    public DateTime At { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }

    public const string Columns =
        "version AS Version, kind AS Kind, key AS Key, actor AS Actor, at AS At, before AS Before, after AS After";

    public StoredDefinitionChange ToRecord() => new(Version, ToDefinitionKind(Kind), Key, Actor, Instant(At), Before, After);
}

internal sealed class ApiKeyRow
{
    public string Id { get; set; } = "";
    public string Hash { get; set; } = "";
    public short Kind { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public const string Columns =
        "id AS Id, hash AS Hash, kind AS Kind, description AS Description, created_at AS CreatedAt, revoked_at AS RevokedAt";

    public StoredApiKey ToRecord() => new(Id, Hash, ToApiKeyKind(Kind), Description, Instant(CreatedAt), NullableInstant(RevokedAt));
}

/// <summary>A row of <c>cluster_log</c>.</summary>
internal sealed class LogRow
{
    public long Version { get; set; }
    public Guid Node { get; set; }
    public Guid[] Profiles { get; set; } = [];
    public bool Catalog { get; set; }
    public bool Keys { get; set; }
    public long LastSequence { get; set; }

    public const string Columns =
        "version AS Version, node AS Node, profiles AS Profiles, catalog AS Catalog, keys AS Keys, last_sequence AS LastSequence";
}

/// <summary>The newest log version (null when the log is empty) and the last event sequence.</summary>
internal sealed class LogHeadRow
{
    public long? Version { get; set; }
    public long LastSequence { get; set; }
}
