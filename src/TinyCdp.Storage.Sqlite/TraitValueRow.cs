using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>trait_values</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class TraitValueRow
{
    public byte[] ProfileId { get; set; } = [];
    public string Trait { get; set; } = "";
    public string Value { get; set; } = "";
    public long UpdatedAt { get; set; }

    public const string Columns = "profile_id AS ProfileId, trait AS Trait, value AS Value, updated_at AS UpdatedAt";

    public StoredTraitValue ToRecord() => new(Id(ProfileId), Trait, Value, Instant(UpdatedAt));
}
