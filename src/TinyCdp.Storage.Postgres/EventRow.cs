using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// A row of <c>events</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names; <c>timestamptz</c> arrives as a UTC <see cref="DateTime"/>). Commits bind arrays of values directly
/// (<see cref="PostgresCommitStatements"/>); conversions live in <see cref="PostgresCodes"/>.
/// </summary>
internal sealed class EventRow
{
    public long Sequence { get; set; }
    public string MessageId { get; set; } = "";
    public Guid ProfileId { get; set; }
    public short Kind { get; set; }
    public string Name { get; set; } = "";
    public DateTime Timestamp { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime? OriginalTimestamp { get; set; }
    public string Properties { get; set; } = "";
    public string? Traits { get; set; }

    public const string Columns =
        "sequence AS Sequence, message_id AS MessageId, profile_id AS ProfileId, kind AS Kind, name AS Name, event_time AS Timestamp, " +
        "received_at AS ReceivedAt, original_timestamp AS OriginalTimestamp, properties AS Properties, traits AS Traits";

    public StoredEvent ToRecord() =>
        new(Sequence, MessageId, ProfileId, ToMessageKind(Kind), Name, Instant(Timestamp), Instant(ReceivedAt),
            NullableInstant(OriginalTimestamp), Properties, Traits);
}
