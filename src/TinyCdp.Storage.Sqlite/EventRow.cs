using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// A row of <c>events</c> as Dapper maps query results (SELECTs alias their columns to these property
/// names). Commits bind their values directly (<see cref="SqliteCommitStatements"/>); conversions live in <see cref="SqliteCodes"/>.
/// </summary>
internal sealed class EventRow
{
    public long Sequence { get; set; }
    public string MessageId { get; set; } = "";
    public byte[] ProfileId { get; set; } = [];
    public long Kind { get; set; }
    public string Name { get; set; } = "";
    public long Timestamp { get; set; }
    public long ReceivedAt { get; set; }
    public long? OriginalTimestamp { get; set; }
    public string Properties { get; set; } = "";
    public string? Traits { get; set; }

    public const string Columns =
        "sequence AS Sequence, message_id AS MessageId, profile_id AS ProfileId, kind AS Kind, name AS Name, timestamp AS Timestamp, " +
        "received_at AS ReceivedAt, original_timestamp AS OriginalTimestamp, properties AS Properties, traits AS Traits";

    public StoredEvent ToRecord() =>
        new(Sequence, MessageId, Id(ProfileId), ToMessageKind(Kind), Name, Instant(Timestamp), Instant(ReceivedAt),
            NullableInstant(OriginalTimestamp), Properties, Traits);
}
