using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>api_keys</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
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
