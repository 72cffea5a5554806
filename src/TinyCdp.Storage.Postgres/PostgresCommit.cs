using Npgsql;
using static TinyCdp.Storage.Postgres.PostgresBatchCommands;
using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// One <see cref="StoreTransaction"/>, checked and turned into the batch that applies it: the write turn,
/// the sections in the walk's order (<see cref="PostgresCommitStatements"/>), then the shared log entry.
/// </summary>
/// <remarks>
/// Everything that can be checked without the database is checked in the constructor, before anything
/// is sent (<see cref="StoreTransaction.Validate"/>); what needs the stored state is checked by commands
/// of the batch itself. A plain commit is therefore one round trip: a batch runs in one implicit
/// transaction, which any failing statement rolls back whole.
/// </remarks>
internal sealed class PostgresCommit
{
    // Never the newest row: the next version is computed from it. $1 the age (interval).
    public const string PruneLog = """
        DELETE FROM cluster_log WHERE at < now() - $1::interval AND version < (SELECT MAX(version) FROM cluster_log)
        """;

    // The cluster-wide write turn: a transaction-level advisory lock ($1 the key).
    private const string TakeWriteTurn = "SELECT pg_advisory_xact_lock($1)";

    // The shared log entry: the next version (gap-free: every commit holds the write lock), what was
    // touched, and the last sequence after this commit; then the notification, delivered at COMMIT.
    // $1 node, $2 profiles, $3 catalog, $4 keys, $5 channel.
    private const string AppendLog = """
        WITH logged AS (
            INSERT INTO cluster_log (version, node, profiles, catalog, keys, last_sequence, at)
            SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4, (SELECT last FROM event_sequence WHERE id = 1), now()
            FROM cluster_log
            RETURNING version)
        SELECT version AS log_version, pg_notify($5, version::text || ':' || $1::text) IS NULL AS notified FROM logged
        """;

    private readonly StoreTransaction _transaction;
    private readonly long[] _sequences;

    public PostgresCommit(StoreTransaction transaction)
    {
        _transaction = transaction;
        transaction.Validate();
        _sequences = [.. transaction.Events.Select(storedEvent => storedEvent.Sequence)];
        Months = [.. transaction.Events
            .Select(storedEvent => EventPartitions.Month(Instant(storedEvent.ReceivedAt)))
            .OfType<int>()
            .Distinct()];
    }

    /// <summary>The months the events fall in that have partitions of their own.</summary>
    public int[] Months { get; }

    /// <summary>Adds the statements that apply the transaction, then the log entry, to <paramref name="batch"/>.</summary>
    /// <param name="batch">The batch: on its own, or inside the transaction of a write turn.</param>
    /// <param name="lockKey">When set, the batch first takes this transaction-level advisory lock (the write turn).</param>
    /// <param name="newPartitions">Months whose partitions may not exist yet: created before the events go in.</param>
    /// <param name="node">The committing store's node id.</param>
    /// <param name="channel">The notification channel.</param>
    /// <param name="pruneOlderThan">When set, log rows older than this are deleted (never the newest).</param>
    public void AddTo(NpgsqlBatch batch, long? lockKey, IEnumerable<int> newPartitions, Guid node, string channel, TimeSpan? pruneOlderThan)
    {
        if (lockKey is { } key)
        {
            Add(batch, TakeWriteTurn, Value(key));
        }

        var statements = new PostgresCommitStatements(batch, _sequences, newPartitions);
        _transaction.Walk(statements);
        Add(batch, AppendLog, Value(node), Value(statements.TouchedProfiles), Value(statements.CatalogChanged), Value(statements.KeysChanged), Value(channel));
        if (pruneOlderThan is { } age)
        {
            Add(batch, PruneLog, Value(age));
        }
    }
}
