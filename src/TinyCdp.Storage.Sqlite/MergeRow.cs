using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>merges</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class MergeRow
{
    public byte[] Survivor { get; set; } = [];
    public byte[] Absorbed { get; set; } = [];
    public long At { get; set; }
    public string MessageId { get; set; } = "";

    public const string Columns = "survivor AS Survivor, absorbed AS Absorbed, at AS At, message_id AS MessageId";

    public StoredMerge ToRecord() => new(Id(Survivor), Id(Absorbed), Instant(At), MessageId);
}
