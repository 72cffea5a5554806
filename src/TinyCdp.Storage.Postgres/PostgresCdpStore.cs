using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The server-grade <see cref="ICdpStore"/>: PostgreSQL, shared by any number of TinyCdp processes
/// (<see cref="ISharedCdpStore"/>).
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="MigrateAsync"/> before anything else; it creates the schema
/// (<see cref="PostgresCdpStoreOptions.Schema"/>) and its tables or upgrades them, and running it
/// again, or in several processes at once, is safe.
/// </para>
/// <para>
/// The store owns one <see cref="NpgsqlDataSource"/> (one connection pool). Reads take a pooled
/// connection each and run one statement (so each sees one committed state). Every commit, from any
/// process, is one transaction that first takes a cluster-wide advisory lock (the write turn), so
/// commits are serialised across processes; it is either committed whole or rolled back whole, and the
/// exception is rethrown as it came (typically a <see cref="PostgresException"/> for a broken constraint
/// such as a remembered message id remembered again, an <see cref="ArgumentException"/> for what the
/// store checks itself). Instants are kept as UTC to the millisecond (sub-millisecond digits are
/// truncated toward the past) and come back with a zero offset.
/// </para>
/// <para>
/// When PostgreSQL is unreachable every member throws (except <see cref="IsReachableAsync"/> and
/// <see cref="WaitForSharedChangeAsync"/>) and nothing is stored; when it comes back the same instance
/// works again: a connection found broken empties the pool of idle connections, which a restarted
/// server has closed.
/// </para>
/// <para>
/// Orders the contract leaves open: identifiers by kind then value, memberships by segment, trait values
/// by trait, definitions by kind then key, API keys by id (all ordinal, sorted in .NET); merges by time
/// then commit order; history by descending version then descending commit order; ids like
/// <see cref="Guid.CompareTo(Guid)"/>, which is PostgreSQL's <c>uuid</c> order. Referential integrity is
/// not enforced (no foreign keys), as in the other stores.
/// </para>
/// </remarks>
public sealed class PostgresCdpStore : ISharedCdpStore
{
    /// <summary>How long shared-log rows are kept (the newest row is kept whatever its age).</summary>
    internal static readonly TimeSpan LogRetention = PostgresCommitter.LogRetention;

    private readonly PostgresConnections _connections;
    private readonly PostgresMaintenance _maintenance;
    private readonly PostgresCommitter _committer;
    private readonly PostgresIdentityReader _identities;
    private readonly PostgresProfileReader _profiles;
    private readonly PostgresProfileStateLoader _states;
    private readonly PostgresMessageLogReader _messageLog;
    private readonly PostgresChangeFeedReader _changeFeed;
    private readonly PostgresCatalogReader _catalog;
    private readonly PostgresApiKeyReader _apiKeys;
    private readonly PostgresSharedLog _sharedLog;

    /// <summary>Creates a store for the database and schema the options name; opens nothing until first used.</summary>
    /// <param name="options">The connection string and schema.</param>
    /// <param name="loggerFactory">Where the store reports losing and regaining the notification channel; nowhere when null.</param>
    /// <exception cref="ArgumentException">The connection string is missing or malformed, or the schema name or a duration is not allowed.</exception>
    /// <remarks>
    /// Timeouts and reconnection pauses are wall-clock durations (they bound waits on the network), so
    /// the store takes no <see cref="TimeProvider"/>: an application's fake clock must not stall them.
    /// </remarks>
    public PostgresCdpStore(PostgresCdpStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("A PostgreSQL connection string is required.", nameof(options));
        }

        if (!IsValidSchemaName(options.Schema))
        {
            throw new ArgumentException(
                "The schema name must be 1 to 48 lower-case letters, digits or underscores, starting with a letter or an underscore.", nameof(options));
        }

        if (options.ReachabilityTimeout <= TimeSpan.Zero || options.MaxReconnectDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException("The reachability timeout and the reconnect delay must be positive.", nameof(options));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            // The message names the offending keyword, never the value: a password must not end up in a log.
            throw new ArgumentException($"The connection string is not valid: {exception.GetType().Name}.", nameof(options), exception);
        }

        // Every statement names its tables without a schema: the search path puts them in ours.
        builder.SearchPath = options.Schema;
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "TinyCdp";
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresCdpStore>();
        _connections = new PostgresConnections(this, builder, options.Schema, options.MaxReconnectDelay, logger);
        _maintenance = new PostgresMaintenance(_connections, options.ReachabilityTimeout);
        _committer = new PostgresCommitter(_connections);
        _identities = new PostgresIdentityReader(_connections);
        _profiles = new PostgresProfileReader(_connections);
        _states = new PostgresProfileStateLoader(_connections);
        _messageLog = new PostgresMessageLogReader(_connections);
        _changeFeed = new PostgresChangeFeedReader(_connections);
        _catalog = new PostgresCatalogReader(_connections);
        _apiKeys = new PostgresApiKeyReader(_connections);
        _sharedLog = new PostgresSharedLog(_connections, _committer);
    }

    /// <summary>This store instance's id in the shared log (<c>cluster_log.node</c>): new for every instance.</summary>
    internal Guid NodeId => _connections.NodeId;

    /// <summary>The schema the store's tables live in.</summary>
    internal string Schema => _connections.Schema;

    /// <inheritdoc />
    /// <remarks>
    /// Creates the schema when missing, then applies, in order, each script of <see cref="PostgresMigrations"/>
    /// not yet recorded in <c>schema_version</c>, all in one transaction holding an advisory lock: a
    /// process that starts while another migrates waits, then finds nothing left to do. Fails with
    /// <see cref="TinyCdpException"/> (<see cref="TinyCdpErrorCode.StoreUnavailable"/>) when the schema was
    /// created by a newer version.
    /// </remarks>
    public Task MigrateAsync(CancellationToken cancellationToken = default) =>
        _maintenance.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// True when the database answers within <see cref="PostgresCdpStoreOptions.ReachabilityTimeout"/>
    /// and has been migrated; never throws (false after disposal or cancellation).
    /// </remarks>
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default) =>
        _maintenance.IsReachableAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// One round trip: a batch of statements that PostgreSQL runs as one implicit transaction. It first
    /// takes the cluster-wide write turn (a transaction-level advisory lock), so commits from every
    /// process are serialised; then applies the writes in the order of <see cref="StoreTransaction.Walk"/>,
    /// checking what needs the stored state where it falls in that order;
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
    public Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default) =>
        _committer.CommitAsync(transaction, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default) =>
        _messageLog.FindKnownMessageIdsAsync(messageIds, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The highest sequence ever committed: deleting the events that carried it does not lower it.</remarks>
    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) =>
        _messageLog.GetLastSequenceAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
        _identities.FindProfilesAsync(identifiers, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
        _identities.FindSuppressedAsync(identifiers, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by kind, then by value (ordinal).</remarks>
    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _identities.GetIdentifiersAsync(profileId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default) =>
        _identities.SearchProfilesAsync(prefix, limit, offset, cancellationToken);

    /// <inheritdoc />
    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _profiles.GetProfileAsync(profileId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _profiles.GetEventsAsync(profileId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by <see cref="StoredMerge.At"/>, then by commit order.</remarks>
    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _profiles.GetMergesAsync(profileId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by segment key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _profiles.GetMembershipsAsync(profileId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by trait key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _profiles.GetTraitValuesAsync(profileId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default) =>
        _profiles.ListProfileIdsAsync(after, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default) =>
        _profiles.SampleProfileIdsAsync(limit, cancellationToken);

    /// <inheritdoc />
    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) =>
        _profiles.CountProfilesAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default) =>
        _profiles.ListSegmentMembersAsync(segment, after, limit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One round trip; one snapshot.</remarks>
    public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _states.LoadProfileStateAsync(profileId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One round trip (<c>WHERE profile_id = ANY(@Ids)</c>); one snapshot.</remarks>
    public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default) =>
        _states.LoadProfileStatesAsync(profileIds, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default) =>
        _changeFeed.ReadChangesAsync(after, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default) =>
        _changeFeed.GetSegmentSizesAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default) =>
        _changeFeed.GetSegmentSizeHistoryAsync(segment, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Read in one statement (one snapshot). Definitions are ordered by kind, then by key (ordinal).</remarks>
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        _catalog.GetDefinitionsAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default) =>
        _catalog.GetDefinitionHistoryAsync(kind, key, limit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by id (ordinal).</remarks>
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        _apiKeys.GetApiKeysAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Takes a pooled connection, begins a transaction and waits for the transaction-level advisory lock
    /// every commit takes, then reads the shared log on that connection. The turn keeps the connection
    /// and the transaction until it commits or is disposed; meanwhile every other commit, from this
    /// process or another, waits.
    /// </remarks>
    public Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default) =>
        _sharedLog.BeginWriteTurnAsync(seenVersion, cancellationToken);

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
        _sharedLog.ReadSharedChangesAsync(seenVersion, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A background connection listens for the commit notifications of other store instances on the
    /// schema; it is opened on the first call. When it is lost (the database went away) it is
    /// re-established with a growing pause, and once it is back this returns true once, since
    /// notifications may have been missed meanwhile. Never throws for an unreachable database: it waits
    /// out <paramref name="timeout"/> and returns false.
    /// </remarks>
    public Task<bool> WaitForSharedChangeAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _sharedLog.WaitForSharedChangeAsync(timeout, cancellationToken);

    /// <summary>Stops listening for other processes' commits and closes the pool's connections.</summary>
    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>Deletes shared-log rows older than <paramref name="age"/>, never the newest (for tests; commits prune on their own).</summary>
    internal Task<int> PruneSharedLogAsync(TimeSpan age, CancellationToken cancellationToken = default) =>
        _committer.PruneSharedLogAsync(age, cancellationToken);

    private static bool IsValidSchemaName(string? schema) =>
        schema is { Length: > 0 and <= 48 } &&
        (schema[0] is (>= 'a' and <= 'z') or '_') &&
        schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
