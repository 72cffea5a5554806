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
    /// One transaction, holding the cluster-wide write turn (a transaction-level advisory lock) from its
    /// first statement, so commits from every process are serialised. Under the lock it reads what the
    /// checks need (the highest stored sequence; the survivors' rows), checks, then sends every write in
    /// one batch, in the order of the members of <see cref="StoreTransaction"/>, followed by the shared
    /// log entry and its notification, and commits. On any failure (including cancellation) it is rolled
    /// back and the exception rethrown: nothing of the transaction is stored. An empty transaction
    /// writes nothing, not even a log entry.
    /// </para>
    /// <para>
    /// Besides the database's constraints (a message id remembered while still remembered, or twice; an
    /// API key hash another key has), a commit is refused with <see cref="ArgumentException"/> for a
    /// null where a record needs a value, an event sequence already stored or repeated, and a merge whose
    /// survivor is the absorbed profile or was itself absorbed; with <see cref="ArgumentOutOfRangeException"/>
    /// for an undefined enum value. Deleting a profile keeps its change-feed entries and remembered message
    /// ids (the feed must report the deletion; dedupe must keep refusing replays).
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
        return await WithConnectionAsync(async connection =>
        {
            var npgsqlTransaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (npgsqlTransaction.ConfigureAwait(false))
            {
                var (cursors, partitions) = await ApplyAsync(connection, commit, takeLock: true, cancellationToken).ConfigureAwait(false);
                await npgsqlTransaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                _partitions.Exist(partitions);
                return cursors;
            }
        }, cancellationToken).ConfigureAwait(false);
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

    // Runs inside the connection's open transaction; returns the change cursors and the months whose
    // partitions this transaction created (known to exist once it commits).
    private async Task<(IReadOnlyList<long> Cursors, IReadOnlyList<int> Partitions)> ApplyAsync(
        NpgsqlConnection connection, PostgresCommit commit, bool takeLock, CancellationToken cancellationToken)
    {
        // 1. The lock, and what the checks read under it, in one round trip.
        var lastStored = 0L;
        var survivors = new Dictionary<Guid, Guid?>();
        if (takeLock || commit.HasEvents || commit.Survivors.Length > 0)
        {
            using var prelude = new NpgsqlBatch(connection);
            var results = new List<string>();
            if (takeLock)
            {
                prelude.BatchCommands.Add(Command("SELECT 1 FROM pg_advisory_xact_lock($1)", new NpgsqlParameter<long> { TypedValue = _commitLockKey }));
                results.Add("lock");
            }

            if (commit.HasEvents)
            {
                prelude.BatchCommands.Add(Command("SELECT last FROM event_sequence WHERE id = 1"));
                results.Add("last");
            }

            if (commit.Survivors.Length > 0)
            {
                prelude.BatchCommands.Add(Command(
                    "SELECT id, merged_into FROM profiles WHERE id = ANY($1)", new NpgsqlParameter<Guid[]> { TypedValue = commit.Survivors }));
                results.Add("survivors");
            }

            var reader = await prelude.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                foreach (var result in results)
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (result == "last")
                        {
                            lastStored = reader.GetInt64(0);
                        }
                        else if (result == "survivors")
                        {
                            survivors[reader.GetGuid(0)] = await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) ? null : reader.GetGuid(1);
                        }
                    }

                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // 2. The checks that need the stored state.
        commit.CheckMerges(survivors);
        var probe = commit.SequencesToProbe(lastStored);
        if (probe.Length > 0)
        {
            using var command = new NpgsqlCommand("SELECT sequence FROM events WHERE sequence = ANY($1) LIMIT 1", connection);
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = probe });
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long stored)
            {
                throw new ArgumentException($"An event with sequence {stored} is already stored.", "transaction");
            }
        }

        // 3. The writes, the log entry and the notification, in one round trip.
        var partitions = _partitions.Missing(commit.Months);
        var prune = Interlocked.Increment(ref _commits) % PruneEvery == 1 ? LogRetention : (TimeSpan?)null;
        using var batch = new NpgsqlBatch(connection);
        commit.AddTo(batch, partitions, NodeId, _channel, prune);
        var cursors = new List<long>();
        var writes = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (writes.ConfigureAwait(false))
        {
            do
            {
                var isCursor = writes.FieldCount > 0 && writes.GetName(0) == "change_cursor";
                while (await writes.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (isCursor)
                    {
                        cursors.Add(writes.GetInt64(0));
                    }
                }
            }
            while (await writes.NextResultAsync(cancellationToken).ConfigureAwait(false));
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

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}
