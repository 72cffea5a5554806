using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>merges</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class MergeRow
{
    public Guid Survivor { get; set; }
    public Guid Absorbed { get; set; }
    public DateTime At { get; set; }
    public string MessageId { get; set; } = "";

    public const string Columns = "survivor AS Survivor, absorbed AS Absorbed, at AS At, message_id AS MessageId";

    public StoredMerge ToRecord() => new(Survivor, Absorbed, Instant(At), MessageId);
}
