using Dapper;
using Npgsql;

namespace TinyCdp.Storage.Postgres;

public sealed partial class PostgresCdpStore
{
    // Beyond this many log rows to catch up on, the answer is "incomplete": dropping every cached profile
    // is cheaper than reading and applying them all.
    private const int MaxLogRows = 10_000;

    private const string ReadLogHead = """
        SELECT l.version AS Version, COALESCE(l.last_sequence, (SELECT last FROM event_sequence WHERE id = 1)) AS LastSequence
        FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT version, last_sequence FROM cluster_log ORDER BY version DESC LIMIT 1) AS l ON true
        """;

    /// <inheritdoc />
    /// <remarks>
    /// Takes a pooled connection, begins a transaction and waits for the transaction-level advisory lock
    /// every commit takes, then reads the shared log on that connection. The turn keeps the connection
    /// and the transaction until it commits or is disposed; meanwhile every other commit, from this
    /// process or another, waits.
    /// </remarks>
    public async Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var changes = await ReadSharedChangesAsync(connection, seenVersion, takeLock: true, cancellationToken).ConfigureAwait(false);
            return new PostgresWriteTurn(this, connection, transaction, changes);
        }
        catch (Exception exception)
        {
            if (IsConnectionLoss(exception, connection))
            {
                _dataSource.Clear();
            }

            await PostgresWriteTurn.ReleaseAsync(connection, transaction).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// Reads the log rows after <paramref name="seenVersion"/>: <see cref="SharedChanges.Version"/> and
    /// <see cref="SharedChanges.LastSequence"/> are the newest row's (0 and the stored last sequence when
    /// the log is empty), whoever wrote it; the profiles and flags come only from rows other store
    /// instances wrote. The answer is incomplete when rows right after <paramref name="seenVersion"/> were
    /// pruned (older than an hour) or when more than ten thousand rows are pending; then the catalog and
    /// the keys are reported changed too, since nothing says they were not.
    /// </para>
    /// </remarks>
    public Task<SharedChanges> ReadSharedChangesAsync(long seenVersion, CancellationToken cancellationToken = default) =>
        WithConnectionAsync(connection => ReadSharedChangesAsync(connection, seenVersion, takeLock: false, cancellationToken), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A background connection listens for the commit notifications of other store instances on the
    /// schema; it is opened on the first call. When it is lost (the database went away) it is
    /// re-established with a growing pause, and once it is back this returns true once, since
    /// notifications may have been missed meanwhile. Never throws for an unreachable database: it waits
    /// out <paramref name="timeout"/> and returns false.
    /// </remarks>
    public Task<bool> WaitForSharedChangeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        return _listener.WaitAsync(timeout, cancellationToken);
    }

    private async Task<SharedChanges> ReadSharedChangesAsync(NpgsqlConnection connection, long seenVersion, bool takeLock, CancellationToken cancellationToken)
    {
        var sql = (takeLock ? "SELECT 1 FROM pg_advisory_xact_lock(@Key);\n" : "") + ReadLogHead +
            (seenVersion >= 0 ? $";\nSELECT {LogRow.Columns} FROM cluster_log WHERE version > @Seen ORDER BY version LIMIT @Limit" : "");
        var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            sql, new { Key = _commitLockKey, Seen = seenVersion, Limit = MaxLogRows + 1L }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await using (grid.ConfigureAwait(false))
        {
            if (takeLock)
            {
                await grid.ReadAsync<int>().ConfigureAwait(false);
            }

            var head = await grid.ReadSingleAsync<LogHeadRow>().ConfigureAwait(false);
            var rows = seenVersion >= 0 ? (await grid.ReadAsync<LogRow>().ConfigureAwait(false)).AsList() : [];
            return Interpret(seenVersion, head, rows, NodeId);
        }
    }

    private static SharedChanges Interpret(long seenVersion, LogHeadRow head, List<LogRow> rows, Guid nodeId)
    {
        if (rows.Count == 0)
        {
            return new SharedChanges(head.Version ?? 0, head.LastSequence, Complete: true, CatalogChanged: false, KeysChanged: false, []);
        }

        if (rows.Count > MaxLogRows)
        {
            // The head was read first, so every row up to it is among those skipped: the next read starts there.
            return new SharedChanges(head.Version ?? rows[^1].Version, head.LastSequence, Complete: false, CatalogChanged: true, KeysChanged: true, []);
        }

        var complete = rows[0].Version == seenVersion + 1;
        var others = rows.Where(row => row.Node != nodeId).ToList();
        var newest = rows[^1];
        return new SharedChanges(
            newest.Version,
            newest.LastSequence,
            complete,
            CatalogChanged: !complete || others.Any(row => row.Catalog),
            KeysChanged: !complete || others.Any(row => row.Keys),
            [.. others.SelectMany(row => row.Profiles).Distinct()]);
    }
}
