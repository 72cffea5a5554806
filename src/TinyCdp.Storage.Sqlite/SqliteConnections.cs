using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The SQLite store's connections: one long-lived write connection, used one operation at a time under
/// <see cref="WriteGate"/>, and pooled read connections that never wait for a writer (WAL).
/// </summary>
/// <remarks>
/// After <see cref="DisposeAsync"/> every open throws <see cref="ObjectDisposedException"/> naming the
/// store that owns the connections.
/// </remarks>
internal sealed class SqliteConnections : IAsyncDisposable
{
    /// <summary>The most values one <c>IN (...)</c> list carries (SQLite allows 32,766 parameters per statement; this stays far below that and below the old 999).</summary>
    public const int MaxInListSize = 500;

    /// <summary>WAL pages after which a commit checkpoints (SQLite's default is 1,000).</summary>
    private const int WalAutoCheckpointPages = 10_000;

    private readonly object _owner;
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly SqliteDurability _durability;
    private readonly int _busyTimeoutMilliseconds;
    private readonly long _memoryMapSize;
    private readonly string _memoryMapPragma;
    private SqliteConnection? _writeConnection;
    private volatile bool _disposed;

    /// <param name="owner">The store, named by <see cref="ObjectDisposedException"/> after disposal.</param>
    /// <param name="builder">The validated connection string of a database file.</param>
    /// <param name="options">The validated options.</param>
    public SqliteConnections(object owner, SqliteConnectionStringBuilder builder, SqliteCdpStoreOptions options)
    {
        _owner = owner;
        builder.Pooling = true;
        _readConnectionString = builder.ToString();

        // The write connection lives as long as the store; pooling it would only keep the file open after disposal.
        builder.Pooling = false;
        _writeConnectionString = builder.ToString();

        _durability = options.Durability;
        _memoryMapSize = options.MemoryMapSize;
        _memoryMapPragma = string.Create(CultureInfo.InvariantCulture, $"PRAGMA mmap_size = {options.MemoryMapSize}");
        _busyTimeoutMilliseconds = (int)options.BusyTimeout.TotalMilliseconds;
    }

    /// <summary>
    /// Guards the write connection: one commit or migration at a time. Not disposed, so a caller still
    /// waiting when the store is disposed gets <see cref="ObjectDisposedException"/> from the store, not a hang.
    /// </summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public bool IsDisposed => _disposed;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>Opens a pooled read connection (with the memory map set); the caller disposes it.</summary>
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            // Microsoft.Data.Sqlite retries a busy database until the command timeout on its own.
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_memoryMapSize > 0)
            {
                using var command = connection.CreateCommand();
                command.CommandText = _memoryMapPragma;
                command.ExecuteNonQuery();
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The write connection, opened and set up on first use. Only under <see cref="WriteGate"/>; the connections own it.</summary>
    public async Task<SqliteConnection> OpenWriteAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (_writeConnection is not null)
        {
            return _writeConnection;
        }

        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var journalMode = await connection.ExecuteScalarAsync<string>(
                new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new TinyCdpException(
                    TinyCdpErrorCode.StoreUnavailable,
                    $"SQLite refused write-ahead-log mode (journal mode is '{journalMode}'); the database must be a local file.");
            }

            // Checkpoints run inside the commit that crosses the threshold. At SQLite's default (1,000
            // pages) a commit of a few hundred messages dirties a few hundred pages (mostly the
            // events_profile index and trait values, at random places), so every fourth commit
            // copied them back and synced the database file; at 10,000 pages (a WAL of up to 40 MB)
            // the pages written again and again in between are copied once, and the COMMIT phase
            // took 25–35 % less time under the load generator (docs/benchmarks.md).
            var synchronous = _durability == SqliteDurability.Full ? "FULL" : "NORMAL";
            await connection.ExecuteAsync(new CommandDefinition(
                string.Create(CultureInfo.InvariantCulture,
                    $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = {WalAutoCheckpointPages};"),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            _writeConnection = connection;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads a setting of the write connection (for tests: settings like <c>synchronous</c> are per connection).</summary>
    public async Task<long> ReadWriteConnectionPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenWriteAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"PRAGMA {pragma}", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
        }
        finally
        {
            WriteGate.Release();
        }
    }

    /// <summary>Waits for a running commit, closes the write connection and releases pooled read connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await WriteGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_writeConnection is not null)
            {
                await _writeConnection.DisposeAsync().ConfigureAwait(false);
                _writeConnection = null;
            }

            using var pooled = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            WriteGate.Release();
        }
    }
}
