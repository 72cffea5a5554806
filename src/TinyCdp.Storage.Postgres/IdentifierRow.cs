using TinyCdp.Identity;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>identifiers</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class IdentifierRow
{
    public short Kind { get; set; }
    public string Value { get; set; } = "";
    public Guid ProfileId { get; set; }

    public const string Columns = "kind AS Kind, value AS Value, profile_id AS ProfileId";

    public Identifier ToIdentifier() => new(ToIdentifierKind(Kind), Value);
}
