using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>definitions</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
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
