using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>memberships</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class MembershipRow
{
    public Guid ProfileId { get; set; }
    public string Segment { get; set; } = "";
    public bool InSegment { get; set; }
    public DateTime Since { get; set; }
    public DateTime UpdatedAt { get; set; }

    public const string Columns =
        "profile_id AS ProfileId, segment AS Segment, in_segment AS InSegment, since AS Since, updated_at AS UpdatedAt";

    public StoredMembership ToRecord() => new(ProfileId, Segment, InSegment, Instant(Since), Instant(UpdatedAt));
}
