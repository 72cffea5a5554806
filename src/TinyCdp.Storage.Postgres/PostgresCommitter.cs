using Npgsql;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// Commits <see cref="StoreTransaction"/>s: each one batch (<see cref="PostgresCommit"/>) sent on its own
/// (taking the write turn) or inside an open write turn, and the monthly event partitions it created.
/// </summary>
internal sealed class PostgresCommitter(PostgresConnections connections)
{
    /// <summary>How long shared-log rows are kept (the newest row is kept whatever its age).</summary>
    public static readonly TimeSpan LogRetention = TimeSpan.FromHours(1);

    // Every this many commits a store instance prunes the shared log inside its commit (its first commit included).
    private const int PruneEvery = 256;

    private readonly EventPartitions _partitions = new();
    private long _commits;

    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        connections.ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (transaction.IsEmpty)
        {
            return [];
        }

        var commit = new PostgresCommit(transaction);
        var (cursors, partitions) = await connections.WithConnectionAsync(
            connection => ApplyAsync(connection, commit, takeLock: true, cancellationToken), cancellationToken).ConfigureAwait(false);
        _partitions.Exist(partitions);
        return cursors;
    }

    /// <summary>Commits inside an open write turn (its transaction already holds the lock) and ends the transaction.</summary>
    public async Task<IReadOnlyList<long>> CommitInTurnAsync(
        NpgsqlConnection connection, NpgsqlTransaction npgsqlTransaction, StoreTransaction transaction, CancellationToken cancellationToken)
    {
        connections.ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<long> cursors = [];
        IReadOnlyList<int> partitions = [];
        try
        {
            if (!transaction.IsEmpty)
            {
                var commit = new PostgresCommit(transaction);
                (cursors, partitions) = await ApplyAsync(connection, commit, takeLock: false, cancellationToken).ConfigureAwait(false);
            }

            await npgsqlTransaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (PostgresConnections.IsConnectionLoss(exception, connection))
        {
            connections.Clear();
            throw;
        }

        _partitions.Exist(partitions);
        return cursors;
    }

    // Sends the commit's batch; returns the change cursors and the months whose partitions the batch
    // created (known to exist once the transaction commits).
    private async Task<(IReadOnlyList<long> Cursors, IReadOnlyList<int> Partitions)> ApplyAsync(
        NpgsqlConnection connection, PostgresCommit commit, bool takeLock, CancellationToken cancellationToken)
    {
        var partitions = _partitions.Missing(commit.Months);
        var prune = Interlocked.Increment(ref _commits) % PruneEvery == 1 ? LogRetention : (TimeSpan?)null;
        using var batch = new NpgsqlBatch(connection);
        commit.AddTo(batch, takeLock ? connections.CommitLockKey : null, partitions, connections.NodeId, connections.Channel, prune);
        var cursors = new List<long>();
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            do
            {
                var isCursor = reader.FieldCount > 0 && reader.GetName(0) == "change_cursor";
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (isCursor)
                    {
                        cursors.Add(reader.GetInt64(0));
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        // Handed out in insertion order, which is list order; sorted in case RETURNING ever reorders them.
        cursors.Sort();
        return (cursors, partitions);
    }

    /// <summary>Deletes shared-log rows older than <paramref name="age"/>, never the newest (for tests; commits prune on their own).</summary>
    public Task<int> PruneSharedLogAsync(TimeSpan age, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(async connection =>
        {
            using var command = new NpgsqlCommand(PostgresCommit.PruneLog, connection);
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
