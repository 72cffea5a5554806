using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's connections and the names that place it in the database: one
/// <see cref="NpgsqlDataSource"/> (one pool), the schema, the advisory lock keys, the notification channel
/// and the listener on it, and this instance's node id in the shared log.
/// </summary>
/// <remarks>
/// After <see cref="DisposeAsync"/> every use throws <see cref="ObjectDisposedException"/> naming the store
/// that owns the connections.
/// </remarks>
internal sealed class PostgresConnections : IAsyncDisposable
{
    private readonly object _owner;
    private readonly NpgsqlDataSource _dataSource;
    private volatile bool _disposed;

    /// <param name="owner">The store, named by <see cref="ObjectDisposedException"/> after disposal.</param>
    /// <param name="builder">The validated connection string, its search path set to the schema.</param>
    /// <param name="schema">The validated schema name.</param>
    /// <param name="maxReconnectDelay">The longest pause between attempts to re-establish the listener's connection.</param>
    /// <param name="logger">Where the listener reports losing and regaining its connection.</param>
    public PostgresConnections(object owner, NpgsqlConnectionStringBuilder builder, string schema, TimeSpan maxReconnectDelay, ILogger logger)
    {
        _owner = owner;
        _dataSource = NpgsqlDataSource.Create(builder);
        Schema = schema;
        CommitLockKey = AdvisoryKey($"tinycdp:{schema}:commit");
        MigrationLockKey = AdvisoryKey($"tinycdp:{schema}:migrate");
        Channel = $"tinycdp_{schema}";
        Listener = new SharedChangeListener(_dataSource, Channel, NodeId, maxReconnectDelay, logger);
    }

    /// <summary>This store instance's id in the shared log (<c>cluster_log.node</c>): new for every instance.</summary>
    public Guid NodeId { get; } = Guid.NewGuid();

    /// <summary>The schema the store's tables live in.</summary>
    public string Schema { get; }

    /// <summary>The transaction-level advisory lock every commit takes: the cluster-wide write turn.</summary>
    public long CommitLockKey { get; }

    /// <summary>The advisory lock migrations take.</summary>
    public long MigrationLockKey { get; }

    /// <summary>The channel commits notify on.</summary>
    public string Channel { get; }

    /// <summary>Listens on <see cref="Channel"/> for the commits of other store instances.</summary>
    public SharedChangeListener Listener { get; }

    public bool IsDisposed => _disposed;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>Opens a pooled connection; the caller disposes it.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Drops the pool's idle connections (after a connection was found broken: they are dead the same way).</summary>
    public void Clear() => _dataSource.Clear();

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection. When the connection turns out broken (the
    /// server restarted or went away), the pool's idle connections are dropped too: they are dead the
    /// same way, and the next call should open a fresh one instead of failing on each of them in turn.
    /// </summary>
    public async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsConnectionLoss(exception, connection))
        {
            _dataSource.Clear();
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public static bool IsConnectionLoss(Exception exception, NpgsqlConnection? connection) =>
        (connection is not null && connection.FullState.HasFlag(ConnectionState.Broken)) ||
        exception is NpgsqlException { IsTransient: true };

    /// <summary>Stops listening for other processes' commits and closes the pool's connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Listener.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
