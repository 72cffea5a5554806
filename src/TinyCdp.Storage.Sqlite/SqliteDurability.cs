namespace TinyCdp.Storage.Sqlite;

/// <summary>How hard <see cref="SqliteCdpStore"/> works to keep a committed transaction across crashes.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>PRAGMA synchronous=FULL</c> (the default): the write-ahead log is flushed to the disk at every
    /// commit, so an acknowledged write survives a process crash, an operating-system crash and a power
    /// loss (as far as the disk honours flushes).
    /// </summary>
    Full,

    /// <summary>
    /// <c>PRAGMA synchronous=NORMAL</c>: faster commits. A process crash still loses nothing (the
    /// write-ahead log is in the operating system's cache), but an operating-system crash or a power
    /// loss may lose the last commits before a checkpoint. The database is never corrupted.
    /// </summary>
    Relaxed,
}
