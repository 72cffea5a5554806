using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

// The rows as the database holds them, as Dapper maps query results (SELECTs alias their columns to
// these property names). Commits bind their values directly (SqliteCdpStore.Commit.cs). Conversions
// live in SqliteCodes.

internal sealed class ProfileRow
{
    public byte[] Id { get; set; } = [];
    public long CreatedAt { get; set; }
    public string Properties { get; set; } = "";
    public string PropertyTimes { get; set; } = "";
    public byte[]? MergedInto { get; set; }
    public long Version { get; set; }

    public const string Columns =
        "id AS Id, created_at AS CreatedAt, properties AS Properties, property_times AS PropertyTimes, merged_into AS MergedInto, version AS Version";

    public StoredProfile ToRecord() =>
        new(SqliteCodes.Id(Id), Instant(CreatedAt), Properties, PropertyTimes, NullableId(MergedInto), Version);
}

internal sealed class IdentifierRow
{
    public long Kind { get; set; }
    public string Value { get; set; } = "";
    public byte[] ProfileId { get; set; } = [];

    public Identifier ToIdentifier() => new(ToIdentifierKind(Kind), Value);
}

internal sealed class EventRow
{
    public long Sequence { get; set; }
    public string MessageId { get; set; } = "";
    public byte[] ProfileId { get; set; } = [];
    public long Kind { get; set; }
    public string Name { get; set; } = "";
    public long Timestamp { get; set; }
    public long ReceivedAt { get; set; }
    public long? OriginalTimestamp { get; set; }
    public string Properties { get; set; } = "";
    public string? Traits { get; set; }

    public const string Columns =
        "sequence AS Sequence, message_id AS MessageId, profile_id AS ProfileId, kind AS Kind, name AS Name, timestamp AS Timestamp, " +
        "received_at AS ReceivedAt, original_timestamp AS OriginalTimestamp, properties AS Properties, traits AS Traits";

    public StoredEvent ToRecord() =>
        new(Sequence, MessageId, Id(ProfileId), ToMessageKind(Kind), Name, Instant(Timestamp), Instant(ReceivedAt),
            NullableInstant(OriginalTimestamp), Properties, Traits);
}

internal sealed class MergeRow
{
    public byte[] Survivor { get; set; } = [];
    public byte[] Absorbed { get; set; } = [];
    public long At { get; set; }
    public string MessageId { get; set; } = "";

    public const string Columns = "survivor AS Survivor, absorbed AS Absorbed, at AS At, message_id AS MessageId";

    public StoredMerge ToRecord() => new(Id(Survivor), Id(Absorbed), Instant(At), MessageId);
}

internal sealed class MembershipRow
{
    public byte[] ProfileId { get; set; } = [];
    public string Segment { get; set; } = "";
    public long InSegment { get; set; }
    public long Since { get; set; }
    public long UpdatedAt { get; set; }

    public const string Columns =
        "profile_id AS ProfileId, segment AS Segment, in_segment AS InSegment, since AS Since, updated_at AS UpdatedAt";

    public StoredMembership ToRecord() => new(Id(ProfileId), Segment, InSegment != 0, Instant(Since), Instant(UpdatedAt));
}

internal sealed class TraitValueRow
{
    public byte[] ProfileId { get; set; } = [];
    public string Trait { get; set; } = "";
    public string Value { get; set; } = "";
    public long UpdatedAt { get; set; }

    public const string Columns = "profile_id AS ProfileId, trait AS Trait, value AS Value, updated_at AS UpdatedAt";

    public StoredTraitValue ToRecord() => new(Id(ProfileId), Trait, Value, Instant(UpdatedAt));
}

internal sealed class ChangeRow
{
    public long Cursor { get; set; }
    public byte[] ProfileId { get; set; } = [];
    public string? UserId { get; set; }
    public string Segment { get; set; } = "";
    public long Entered { get; set; }
    public long At { get; set; }
    public long Cause { get; set; }

    public const string Columns =
        "cursor AS Cursor, profile_id AS ProfileId, user_id AS UserId, segment AS Segment, entered AS Entered, at AS At, cause AS Cause";

    public StoredChange ToRecord() => new(Cursor, Id(ProfileId), UserId, Segment, Entered != 0, Instant(At), ToChangeCause(Cause));
}

internal sealed class DefinitionRow
{
    public long Kind { get; set; }
    public string Key { get; set; } = "";
    public string Body { get; set; } = "";
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public const string Columns =
        "kind AS Kind, key AS Key, body AS Body, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public StoredDefinition ToRecord() => new(ToDefinitionKind(Kind), Key, Body, Version, Instant(CreatedAt), Instant(UpdatedAt));
}

internal sealed class DefinitionChangeRow
{
    public long Version { get; set; }
    public long Kind { get; set; }
    public string Key { get; set; } = "";
    public string? Actor { get; set; }
    public long At { get; set; }
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
    public long Kind { get; set; }
    public string? Description { get; set; }
    public long CreatedAt { get; set; }
    public long? RevokedAt { get; set; }

    public const string Columns =
        "id AS Id, hash AS Hash, kind AS Kind, description AS Description, created_at AS CreatedAt, revoked_at AS RevokedAt";

    public StoredApiKey ToRecord() => new(Id, Hash, ToApiKeyKind(Kind), Description, Instant(CreatedAt), NullableInstant(RevokedAt));
}
