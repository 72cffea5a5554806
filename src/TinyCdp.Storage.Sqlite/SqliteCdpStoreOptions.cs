namespace TinyCdp.Storage.Sqlite;

/// <summary>Settings for <see cref="SqliteCdpStore"/>.</summary>
public sealed class SqliteCdpStoreOptions
{
    /// <summary>
    /// A Microsoft.Data.Sqlite connection string naming a database file, for example
    /// <c>Data Source=tinycdp.db</c>. The file is created when missing. In-memory and temporary
    /// databases are refused: the store reads on pooled connections of their own, which would each
    /// see a different database (use <see cref="InMemoryCdpStore"/> instead).
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How hard commits work to survive crashes; <see cref="SqliteDurability.Full"/> by default.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>
    /// How long a statement waits for a lock held by another connection (another process using the
    /// same file, or a checkpoint) before failing; 5 seconds by default.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many bytes at the start of the database file reads map into memory (SQLite's
    /// <c>mmap_size</c>, capped by SQLite at 2 GiB) instead of copying each page with a system call;
    /// 2 GiB by default, 0 to read through system calls only. Loading a profile that is not in memory
    /// touches a page per stored message, so this mostly decides the cost of such loads. Commits
    /// always write through system calls. An I/O error on a mapped page stops the process (SIGBUS)
    /// where a read call would have failed with an error.
    /// </summary>
    public long MemoryMapSize { get; set; } = 2L * 1024 * 1024 * 1024;
}
