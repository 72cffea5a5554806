using TinyCdp.Identity;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>identifiers</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class IdentifierRow
{
    public long Kind { get; set; }
    public string Value { get; set; } = "";
    public byte[] ProfileId { get; set; } = [];

    public Identifier ToIdentifier() => new(ToIdentifierKind(Kind), Value);
}
