using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

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
public sealed partial class PostgresCdpStore : ISharedCdpStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly long _commitLockKey;
    private readonly long _migrationLockKey;
    private readonly string _channel;
    private readonly TimeSpan _reachabilityTimeout;
    private readonly ILogger _logger;
    private readonly EventPartitions _partitions = new();
    private readonly SharedChangeListener _listener;
    private volatile bool _disposed;

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

        _dataSource = NpgsqlDataSource.Create(builder);
        _schema = options.Schema;
        _commitLockKey = AdvisoryKey($"tinycdp:{_schema}:commit");
        _migrationLockKey = AdvisoryKey($"tinycdp:{_schema}:migrate");
        _channel = $"tinycdp_{_schema}";
        _reachabilityTimeout = options.ReachabilityTimeout;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresCdpStore>();
        _listener = new SharedChangeListener(_dataSource, _channel, NodeId, options.MaxReconnectDelay, _logger);
    }

    /// <summary>This store instance's id in the shared log (<c>cluster_log.node</c>): new for every instance.</summary>
    internal Guid NodeId { get; } = Guid.NewGuid();

    /// <summary>The schema the store's tables live in.</summary>
    internal string Schema => _schema;

    /// <inheritdoc />
    /// <remarks>
    /// Creates the schema when missing, then applies, in order, each script of <see cref="PostgresMigrations"/>
    /// not yet recorded in <c>schema_version</c>, all in one transaction holding an advisory lock: a
    /// process that starts while another migrates waits, then finds nothing left to do. Fails with
    /// <see cref="TinyCdpException"/> (<see cref="TinyCdpErrorCode.StoreUnavailable"/>) when the schema was
    /// created by a newer version.
    /// </remarks>
    public Task MigrateAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync(async connection =>
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "SELECT pg_advisory_xact_lock(@Key)", new { Key = _migrationLockKey }, transaction, cancellationToken: cancellationToken))
                    .ConfigureAwait(false);

                // Checked first, so a role that may use but not create the schema can still migrate it.
                var schemaExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @Schema)", new { Schema = _schema }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (!schemaExists)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"CREATE SCHEMA \"{_schema}\"", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    PostgresMigrations.CreateVersionTable, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                    "SELECT version FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                    .ToHashSet();

                var known = PostgresMigrations.All[^1].Version;
                if (applied.Count > 0 && applied.Max() > known)
                {
                    throw new TinyCdpException(
                        TinyCdpErrorCode.StoreUnavailable,
                        string.Create(CultureInfo.InvariantCulture, $"The database schema is at version {applied.Max()}, newer than the {known} this version of TinyCdp knows."));
                }

                foreach (var (version, script) in PostgresMigrations.All.Where(migration => !applied.Contains(migration.Version)))
                {
                    await connection.ExecuteAsync(new CommandDefinition(script, transaction: transaction, cancellationToken: cancellationToken))
                        .ConfigureAwait(false);
                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO schema_version (version) VALUES (@Version)", new { Version = version }, transaction,
                        cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// True when the database answers within <see cref="PostgresCdpStoreOptions.ReachabilityTimeout"/>
    /// and has been migrated; never throws (false after disposal or cancellation).
    /// </remarks>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            return false;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_reachabilityTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            return await WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT version FROM catalog WHERE id = 1", cancellationToken: linked.Token)), linked.Token).ConfigureAwait(false) >= 0;
        }
#pragma warning disable CA1031 // Readiness answers false for whatever went wrong.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var wanted = messageIds.Where(id => id is not null).Select(Text).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));
        }

        return WithConnectionAsync<IReadOnlySet<string>>(async connection =>
            (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT message_id FROM message_ids WHERE message_id = ANY(@Ids)", new { Ids = wanted }, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var (kinds, values) = KindsAndValues(identifiers);
        if (kinds.Length == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult<IReadOnlyDictionary<Identifier, Guid>>(new Dictionary<Identifier, Guid>());
        }

        return WithConnectionAsync<IReadOnlyDictionary<Identifier, Guid>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                $"SELECT {IdentifierRow.Columns} FROM identifiers JOIN unnest(@Kinds, @Values) AS wanted (kind, value) USING (kind, value)",
                new { Kinds = kinds, Values = values }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.ToDictionary(row => row.ToIdentifier(), row => row.ProfileId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var (kinds, values) = KindsAndValues(identifiers);
        if (kinds.Length == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult<IReadOnlySet<Identifier>>(new HashSet<Identifier>());
        }

        return WithConnectionAsync<IReadOnlySet<Identifier>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                "SELECT kind AS Kind, value AS Value FROM suppressions JOIN unnest(@Kinds, @Values) AS wanted (kind, value) USING (kind, value)",
                new { Kinds = kinds, Values = values }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(row => row.ToIdentifier()).ToHashSet();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<ProfileRow>(new CommandDefinition(
                $"SELECT {ProfileRow.Columns} FROM profiles WHERE id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false))?.ToRecord(), cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by kind, then by value (ordinal).</remarks>
    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<Identifier>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                $"SELECT {IdentifierRow.Columns} FROM identifiers WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToIdentifier()).OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<StoredEvent>>(async connection =>
        {
            var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
                $"SELECT {EventRow.Columns} FROM events WHERE profile_id = @Id ORDER BY sequence", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by <see cref="StoredMerge.At"/>, then by commit order.</remarks>
    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<StoredMerge>>(async connection =>
        {
            var rows = await connection.QueryAsync<MergeRow>(new CommandDefinition(
                $"SELECT {MergeRow.Columns} FROM merges WHERE survivor = @Id ORDER BY at, id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by segment key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<StoredMembership>>(async connection =>
        {
            var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
                $"SELECT {MembershipRow.Columns} FROM memberships WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(membership => membership.Segment, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Ordered by trait key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<StoredTraitValue>>(async connection =>
        {
            var rows = await connection.QueryAsync<TraitValueRow>(new CommandDefinition(
                $"SELECT {TraitValueRow.Columns} FROM trait_values WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(value => value.Trait, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = after is null
            ? "SELECT id FROM profiles WHERE merged_into IS NULL ORDER BY id LIMIT @Limit"
            : "SELECT id FROM profiles WHERE merged_into IS NULL AND id > @After ORDER BY id LIMIT @Limit";
        return WithConnectionAsync<IReadOnlyList<Guid>>(async connection =>
            [.. await connection.QueryAsync<Guid>(new CommandDefinition(
                sql, new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM profiles WHERE merged_into IS NULL", cancellationToken: cancellationToken)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = after is null
            ? $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment ORDER BY profile_id LIMIT @Limit"
            : $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment AND profile_id > @After ORDER BY profile_id LIMIT @Limit";
        return WithConnectionAsync<IReadOnlyList<StoredMembership>>(async connection =>
        {
            var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
                sql, new { Segment = Text(segment), After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return WithConnectionAsync<IReadOnlyList<StoredChange>>(async connection =>
        {
            var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
                $"SELECT {ChangeRow.Columns} FROM changes WHERE cursor > @After ORDER BY cursor LIMIT @Limit",
                new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Read in one statement (one snapshot). Definitions are ordered by kind, then by key (ordinal).</remarks>
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync<(IReadOnlyList<StoredDefinition>, long)>(async connection =>
        {
            var rows = (await connection.QueryAsync<CatalogRow>(new CommandDefinition(CatalogRow.Query, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToList();
            IReadOnlyList<StoredDefinition> definitions =
                [.. rows.Select(row => row.ToRecord()).OfType<StoredDefinition>()
                    .OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)];
            return (definitions, rows.Count > 0 ? rows[0].CatalogVersion : 0);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var filters = (kind is null ? "" : " AND kind = @Kind") + (key is null ? "" : " AND key = @Key");
        var kindCode = Code(kind);
        return WithConnectionAsync<IReadOnlyList<StoredDefinitionChange>>(async connection =>
        {
            var rows = await connection.QueryAsync<DefinitionChangeRow>(new CommandDefinition(
                $"SELECT {DefinitionChangeRow.Columns} FROM definition_history WHERE true{filters} ORDER BY version DESC, id DESC LIMIT @Limit",
                new { Kind = kindCode, Key = NullableText(key), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);

        // ^@ (starts with) on a "C"-collated key: PostgreSQL turns it into a range on the (kind, value) primary key.
        return WithConnectionAsync<IReadOnlyList<Guid>>(async connection =>
            [.. await connection.QueryAsync<Guid>(new CommandDefinition(
                "SELECT DISTINCT i.profile_id FROM identifiers i JOIN profiles p ON p.id = i.profile_id AND p.merged_into IS NULL " +
                "WHERE i.kind IN (@UserId, @AnonymousId) AND i.value ^@ @Prefix ORDER BY i.profile_id LIMIT @Limit OFFSET @Offset",
                new
                {
                    UserId = Code(IdentifierKind.UserId),
                    AnonymousId = Code(IdentifierKind.AnonymousId),
                    Prefix = Text(prefix),
                    Limit = (long)limit,
                    Offset = (long)offset,
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Ordered by id (ordinal).</remarks>
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<StoredApiKey>>(async connection =>
        {
            var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
                $"SELECT {ApiKeyRow.Columns} FROM api_keys", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(key => key.Id, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The highest sequence ever committed: deleting the events that carried it does not lower it.</remarks>
    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last FROM event_sequence WHERE id = 1", cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Stops listening for other processes' commits and closes the pool's connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection. When the connection turns out broken (the
    /// server restarted or went away), the pool's idle connections are dropped too: they are dead the
    /// same way, and the next call should open a fresh one instead of failing on each of them in turn.
    /// </summary>
    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    private static bool IsConnectionLoss(Exception exception, NpgsqlConnection? connection) =>
        (connection is not null && connection.FullState.HasFlag(ConnectionState.Broken)) ||
        exception is NpgsqlException { IsTransient: true };

    private static bool IsValidSchemaName(string? schema) =>
        schema is { Length: > 0 and <= 48 } &&
        (schema[0] is (>= 'a' and <= 'z') or '_') &&
        schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    private static (short[] Kinds, string[] Values) KindsAndValues(IEnumerable<Identifier> identifiers)
    {
        var distinct = identifiers.Where(identifier => identifier.Value is not null).Distinct().ToList();
        return ([.. distinct.Select(identifier => Code(identifier.Kind))], [.. distinct.Select(identifier => Text(identifier.Value))]);
    }
}
