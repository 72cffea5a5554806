namespace TinyCdp.Storage.Postgres;

/// <summary>The newest log version (null when the log is empty) and the last event sequence.</summary>
internal sealed class LogHeadRow
{
    public long? Version { get; set; }
    public long LastSequence { get; set; }
}
