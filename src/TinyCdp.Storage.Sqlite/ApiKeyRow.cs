using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>api_keys</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
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
