using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>profiles</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class ProfileRow
{
    public byte[] Id { get; set; } = [];
    public long CreatedAt { get; set; }
    public string Properties { get; set; } = "";
    public string PropertyTimes { get; set; } = "";
    public byte[]? MergedInto { get; set; }
    public long Version { get; set; }

    public const string Columns =
        "id AS Id, created_at AS CreatedAt, properties AS Properties, property_times AS PropertyTimes, merged_into AS MergedInto, version AS Version";

    public StoredProfile ToRecord() =>
        new(SqliteCodes.Id(Id), Instant(CreatedAt), Properties, PropertyTimes, NullableId(MergedInto), Version);
}
