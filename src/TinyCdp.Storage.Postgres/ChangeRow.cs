using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>changes</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class ChangeRow
{
    public long Cursor { get; set; }
    public Guid ProfileId { get; set; }
    public string? UserId { get; set; }
    public string Segment { get; set; } = "";
    public bool Entered { get; set; }
    public DateTime At { get; set; }
    public short Cause { get; set; }

    public const string Columns =
        "cursor AS Cursor, profile_id AS ProfileId, user_id AS UserId, segment AS Segment, entered AS Entered, at AS At, cause AS Cause";

    public StoredChange ToRecord() => new(Cursor, ProfileId, UserId, Segment, Entered, Instant(At), ToChangeCause(Cause));
}
