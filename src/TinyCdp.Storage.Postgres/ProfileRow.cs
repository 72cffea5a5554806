using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>profiles</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class ProfileRow
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public string Properties { get; set; } = "";
    public string PropertyTimes { get; set; } = "";
    public Guid? MergedInto { get; set; }
    public long Version { get; set; }

    public const string Columns =
        "id AS Id, created_at AS CreatedAt, properties AS Properties, property_times AS PropertyTimes, merged_into AS MergedInto, version AS Version";

    public StoredProfile ToRecord() => new(Id, Instant(CreatedAt), Properties, PropertyTimes, MergedInto, Version);
}
