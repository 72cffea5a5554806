using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>definition_history</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
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
