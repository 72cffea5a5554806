using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>memberships</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class MembershipRow
{
    public byte[] ProfileId { get; set; } = [];
    public string Segment { get; set; } = "";
    public long InSegment { get; set; }
    public long Since { get; set; }
    public long UpdatedAt { get; set; }

    public const string Columns =
        "profile_id AS ProfileId, segment AS Segment, in_segment AS InSegment, since AS Since, updated_at AS UpdatedAt";

    public StoredMembership ToRecord() => new(Id(ProfileId), Segment, InSegment != 0, Instant(Since), Instant(UpdatedAt));
}
