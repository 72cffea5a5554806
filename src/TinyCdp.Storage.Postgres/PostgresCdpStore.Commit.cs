using Npgsql;

namespace TinyCdp.Storage.Postgres;

public sealed partial class PostgresCdpStore
{
    /// <summary>How long shared-log rows are kept (the newest row is kept whatever its age).</summary>
    internal static readonly TimeSpan LogRetention = TimeSpan.FromHours(1);

    // Every this many commits a store instance prunes the shared log inside its commit (its first commit included).
    private const int PruneEvery = 256;

    private long _commits;

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// One round trip: a batch of statements that PostgreSQL runs as one implicit transaction. It first
    /// takes the cluster-wide write turn (a transaction-level advisory lock), so commits from every
    /// process are serialised; then applies the writes in the order of the members of
    /// <see cref="StoreTransaction"/>, checking what needs the stored state where it falls in that order;
    /// then appends the shared log entry and its notification. On any failure (including cancellation)
    /// the whole batch is rolled back and the exception rethrown: nothing of the transaction is stored.
    /// An empty transaction writes nothing, not even a log entry.
    /// </para>
    /// <para>
    /// Refused before anything is sent: a null where a record needs a value and a merge of a profile into
    /// itself or a sequence repeated in the transaction (<see cref="ArgumentException"/>), an undefined
    /// enum value (<see cref="ArgumentOutOfRangeException"/>). Refused by the database
    /// (<see cref="PostgresException"/>): a message id remembered while still remembered, or twice; an
    /// event sequence already stored; a merge whose survivor was absorbed; an API key hash another key
    /// has. Deleting a profile keeps its change-feed entries and remembered message ids (the feed must
    /// report the deletion; dedupe must keep refusing replays).
    /// </para>
    /// </remarks>
    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (transaction.IsEmpty)
        {
            return [];
        }

        var commit = new PostgresCommit(transaction);
        var (cursors, partitions) = await WithConnectionAsync(
            connection => ApplyAsync(connection, commit, takeLock: true, cancellationToken), cancellationToken).ConfigureAwait(false);
        _partitions.Exist(partitions);
        return cursors;
    }

    /// <summary>Commits inside an open write turn (its transaction already holds the lock) and ends the transaction.</summary>
    internal async Task<IReadOnlyList<long>> CommitInTurnAsync(
        NpgsqlConnection connection, NpgsqlTransaction npgsqlTransaction, StoreTransaction transaction, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        catch (Exception exception) when (IsConnectionLoss(exception, connection))
        {
            _dataSource.Clear();
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
        commit.AddTo(batch, takeLock ? _commitLockKey : null, partitions, NodeId, _channel, prune);
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
    internal Task<int> PruneSharedLogAsync(TimeSpan age, CancellationToken cancellationToken = default) =>
        WithConnectionAsync(async connection =>
        {
            using var command = new NpgsqlCommand(PostgresCommit.PruneLog, connection);
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
