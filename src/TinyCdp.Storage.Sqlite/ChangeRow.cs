using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>changes</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class ChangeRow
{
    public long Cursor { get; set; }
    public byte[] ProfileId { get; set; } = [];
    public string? UserId { get; set; }
    public string Segment { get; set; } = "";
    public long Entered { get; set; }
    public long At { get; set; }
    public long Cause { get; set; }

    public const string Columns =
        "cursor AS Cursor, profile_id AS ProfileId, user_id AS UserId, segment AS Segment, entered AS Entered, at AS At, cause AS Cause";

    public StoredChange ToRecord() => new(Cursor, Id(ProfileId), UserId, Segment, Entered != 0, Instant(At), ToChangeCause(Cause));
}
