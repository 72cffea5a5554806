using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>trait_values</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class TraitValueRow
{
    public Guid ProfileId { get; set; }
    public string Trait { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTime UpdatedAt { get; set; }

    public const string Columns = "profile_id AS ProfileId, trait AS Trait, value AS Value, updated_at AS UpdatedAt";

    public StoredTraitValue ToRecord() => new(ProfileId, Trait, Value, Instant(UpdatedAt));
}
