using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>definition_history</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
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
