using Microsoft.Data.Sqlite;

namespace TinyCdp.Storage.Sqlite;

/// <summary>Which SQLite failures mean the database cannot take writes now, reported as <see cref="TinyCdpErrorCode.StoreUnavailable"/>.</summary>
internal static class SqliteFailures
{
    /// <summary>Why the database cannot take writes now (full disk, read-only, I/O error, cannot open), or null for other failures.</summary>
    public static string? Unwritable(SqliteException exception) => (exception.SqliteErrorCode & 0xFF) switch
    {
        13 => "is full (no space left on the disk, or the size limit)",
        8 => "is read-only",
        10 => "could not write to the disk (I/O error)",
        14 => "file could not be opened",
        _ => null,
    };
}
