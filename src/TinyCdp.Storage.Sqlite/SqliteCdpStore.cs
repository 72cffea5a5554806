using Microsoft.Data.Sqlite;
using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The embedded default <see cref="ICdpStore"/>: one SQLite database file in write-ahead-log mode.
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="MigrateAsync"/> once before anything else; it creates or upgrades the schema
/// (see <see cref="SqliteMigrations"/>) and running it again is a no-op.
/// </para>
/// <para>
/// Writes go through one long-lived connection, one at a time; each <see cref="CommitAsync"/> is a
/// single <c>BEGIN IMMEDIATE</c> transaction that is either committed whole or rolled back whole (the
/// exception is rethrown as it came, typically a <see cref="SqliteException"/> for a broken constraint
/// such as a duplicate event message id or sequence). Reads use pooled connections of their own and
/// never wait for a writer (WAL). Instants are kept as UTC Unix milliseconds: sub-millisecond digits
/// are truncated toward the past, and instants come back with a zero offset.
/// </para>
/// <para>
/// Orders the contract leaves open: identifiers by kind then value, memberships by segment, trait values
/// by trait, definitions by kind then key (all ordinal); merges by time then commit order; history by
/// descending version then descending commit order. Referential integrity is not enforced (no foreign
/// keys): the engine is the only writer and keeps rows consistent, and the in-memory store behaves the same.
/// </para>
/// </remarks>
public sealed class SqliteCdpStore : ICdpStore
{
    private readonly SqliteConnections _connections;
    private readonly SqliteMaintenance _maintenance;
    private readonly SqliteCommitter _committer;
    private readonly SqliteIdentityReader _identities;
    private readonly SqliteProfileReader _profiles;
    private readonly SqliteProfileStateLoader _states;
    private readonly SqliteMessageLogReader _messageLog;
    private readonly SqliteChangeFeedReader _changeFeed;
    private readonly SqliteCatalogReader _catalog;
    private readonly SqliteApiKeyReader _apiKeys;

    /// <summary>Creates a store for the database the options name; opens nothing until first used.</summary>
    /// <exception cref="ArgumentException">The connection string is missing, malformed, or names an in-memory or temporary database.</exception>
    public SqliteCdpStore(SqliteCdpStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("A connection string naming a database file is required.", nameof(options));
        }

        if (!Enum.IsDefined(options.Durability))
        {
            throw new ArgumentException($"Unknown durability {options.Durability}.", nameof(options));
        }

        if (options.MemoryMapSize < 0)
        {
            throw new ArgumentException("The memory map size must not be negative.", nameof(options));
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException("The busy timeout must be between zero and about 24 days.", nameof(options));
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"The connection string is not valid: {exception.Message}", nameof(options), exception);
        }

        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrWhiteSpace(builder.DataSource) ||
            builder.DataSource.Contains(":memory:", StringComparison.Ordinal) || builder.DataSource.Contains("mode=memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                "The SQLite store needs a database file; in-memory and temporary databases are not supported (use InMemoryCdpStore).",
                nameof(options));
        }

        _connections = new SqliteConnections(this, builder, options);
        _maintenance = new SqliteMaintenance(_connections);
        _committer = new SqliteCommitter(_connections);
        _identities = new SqliteIdentityReader(_connections);
        _profiles = new SqliteProfileReader(_connections);
        _states = new SqliteProfileStateLoader(_connections);
        _messageLog = new SqliteMessageLogReader(_connections);
        _changeFeed = new SqliteChangeFeedReader(_connections);
        _catalog = new SqliteCatalogReader(_connections);
        _apiKeys = new SqliteApiKeyReader(_connections);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Applies, in order, each script of <see cref="SqliteMigrations"/> not yet recorded in
    /// <c>schema_version</c>, each in its own transaction. Fails with <see cref="TinyCdpException"/>
    /// (<see cref="TinyCdpErrorCode.StoreUnavailable"/>) when the database was created by a newer version.
    /// </remarks>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _maintenance.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>True when the database opens and has been migrated; never throws (false after disposal).</remarks>
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default) => _maintenance.IsReachableAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// One <c>BEGIN IMMEDIATE</c> transaction, applied section by section in the order of
    /// <see cref="StoreTransaction.Walk"/>. On any failure (including cancellation) it is rolled back and
    /// the exception rethrown: nothing of the transaction is stored.
    /// </para>
    /// <para>
    /// Besides <see cref="StoreTransaction.Validate"/> and the database's own constraints (a stored
    /// event sequence or message id), a merge is refused with <see cref="ArgumentException"/> when its
    /// survivor is the absorbed profile or was itself absorbed: either would break "an absorbed id
    /// resolves in one hop". Re-remembering a message id replaces its receive time. Deleting a profile
    /// keeps its change-feed entries and remembered message ids: the feed is an append-only log that
    /// must report the deletion, and dedupe must keep refusing replays of the deleted messages.
    /// </para>
    /// </remarks>
    public Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default) =>
        _committer.CommitAsync(transaction, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default) =>
        _messageLog.FindKnownMessageIdsAsync(messageIds, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The highest sequence ever committed: deleting the events that carried it does not lower it.</remarks>
    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) => _messageLog.GetLastSequenceAsync(cancellationToken);

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
    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) => _profiles.CountProfilesAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default) =>
        _profiles.ListSegmentMembersAsync(segment, after, limit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One command of five statements in one read transaction (one snapshot).</remarks>
    public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        _states.LoadProfileStateAsync(profileId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One command of five statements per 500 profiles (<c>WHERE profile_id IN (...)</c>), all in one
    /// read transaction (one snapshot).
    /// </remarks>
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
    /// <remarks>Read in one snapshot. Definitions are ordered by kind, then by key (ordinal).</remarks>
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        _catalog.GetDefinitionsAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default) =>
        _catalog.GetDefinitionHistoryAsync(kind, key, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) => _apiKeys.GetApiKeysAsync(cancellationToken);

    /// <summary>Waits for a running commit, closes the write connection and releases pooled read connections.</summary>
    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>Reads a setting of the write connection (for tests: settings like <c>synchronous</c> are per connection).</summary>
    internal Task<long> ReadWriteConnectionPragmaAsync(string pragma, CancellationToken cancellationToken = default) =>
        _connections.ReadWriteConnectionPragmaAsync(pragma, cancellationToken);
}
