using Dapper;
using Npgsql;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The shared log (<c>cluster_log</c>) as an engine on a shared store reads it: the write turn and what
/// other store instances committed before it, what they committed since a version, and the wait for their
/// next commit (<see cref="ISharedCdpStore"/>).
/// </summary>
internal sealed class PostgresSharedLog(PostgresConnections connections, PostgresCommitter committer) : ISharedChangeReader
{
    // Beyond this many log rows to catch up on, the answer is "incomplete": dropping every cached profile
    // is cheaper than reading and applying them all.
    private const int MaxLogRows = 10_000;

    private const string ReadLogHead = """
        SELECT l.version AS Version, COALESCE(l.last_sequence, (SELECT last FROM event_sequence WHERE id = 1)) AS LastSequence
        FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT version, last_sequence FROM cluster_log ORDER BY version DESC LIMIT 1) AS l ON true
        """;

    public async Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default)
    {
        connections.ThrowIfDisposed();
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var changes = await ReadSharedChangesAsync(connection, seenVersion, takeLock: true, cancellationToken).ConfigureAwait(false);
            return new PostgresWriteTurn(committer, connection, transaction, changes);
        }
        catch (Exception exception)
        {
            if (PostgresConnections.IsConnectionLoss(exception, connection))
            {
                connections.Clear();
            }

            await PostgresWriteTurn.ReleaseAsync(connection, transaction).ConfigureAwait(false);
            throw;
        }
    }

    public Task<SharedChanges> ReadSharedChangesAsync(long seenVersion, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(connection => ReadSharedChangesAsync(connection, seenVersion, takeLock: false, cancellationToken), cancellationToken);

    public Task<bool> WaitForSharedChangeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        connections.ThrowIfDisposed();
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        return connections.Listener.WaitAsync(timeout, cancellationToken);
    }

    private async Task<SharedChanges> ReadSharedChangesAsync(NpgsqlConnection connection, long seenVersion, bool takeLock, CancellationToken cancellationToken)
    {
        var sql = (takeLock ? "SELECT 1 FROM pg_advisory_xact_lock(@Key);\n" : "") + ReadLogHead +
            (seenVersion >= 0 ? $";\nSELECT {LogRow.Columns} FROM cluster_log WHERE version > @Seen ORDER BY version LIMIT @Limit" : "");
        var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            sql, new { Key = connections.CommitLockKey, Seen = seenVersion, Limit = MaxLogRows + 1L }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await using (grid.ConfigureAwait(false))
        {
            if (takeLock)
            {
                await grid.ReadAsync<int>().ConfigureAwait(false);
            }

            var head = await grid.ReadSingleAsync<LogHeadRow>().ConfigureAwait(false);
            var rows = seenVersion >= 0 ? (await grid.ReadAsync<LogRow>().ConfigureAwait(false)).AsList() : [];
            return Interpret(seenVersion, head, rows, connections.NodeId);
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
