using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

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
public sealed partial class SqliteCdpStore : ICdpStore
{
    // SQLite allows 32,766 parameters per statement; IN lists stay far below that and below the old 999.
    private const int MaxInListSize = 500;

    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly SqliteDurability _durability;
    private readonly int _busyTimeoutMilliseconds;
    private readonly long _memoryMapSize;
    private readonly string _memoryMapPragma;

    // Guards the write connection: one commit or migration at a time. Not disposed, so a caller
    // still waiting when the store is disposed gets ObjectDisposedException from the store, not a hang.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writeConnection;
    private volatile bool _disposed;

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

        builder.Pooling = true;
        _readConnectionString = builder.ToString();

        // The write connection lives as long as the store; pooling it would only keep the file open after disposal.
        builder.Pooling = false;
        _writeConnectionString = builder.ToString();

        _durability = options.Durability;
        _memoryMapSize = options.MemoryMapSize;
        _memoryMapPragma = string.Create(CultureInfo.InvariantCulture, $"PRAGMA mmap_size = {options.MemoryMapSize}");
        _busyTimeoutMilliseconds = (int)options.BusyTimeout.TotalMilliseconds;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Applies, in order, each script of <see cref="SqliteMigrations"/> not yet recorded in
    /// <c>schema_version</c>, each in its own transaction. Fails with <see cref="TinyCdpException"/>
    /// (<see cref="TinyCdpErrorCode.StoreUnavailable"/>) when the database was created by a newer version.
    /// </remarks>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenWriteConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(SqliteMigrations.CreateVersionTable, cancellationToken: cancellationToken))
                .ConfigureAwait(false);

            var known = SqliteMigrations.All[^1].Version;
            var current = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition("SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            if (current > known)
            {
                throw new TinyCdpException(
                    TinyCdpErrorCode.StoreUnavailable,
                    string.Create(CultureInfo.InvariantCulture, $"The database schema is at version {current}, newer than the {known} this version of TinyCdp knows."));
            }

            foreach (var (version, script) in SqliteMigrations.All)
            {
                using var transaction = connection.BeginTransaction();
                var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM schema_version WHERE version = @Version", new { Version = (long)version }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (applied != 0)
                {
                    continue;
                }

                await connection.ExecuteAsync(new CommandDefinition(script, transaction: transaction, cancellationToken: cancellationToken))
                    .ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version (version, applied_at) VALUES (@Version, CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER))",
                    new { Version = (long)version }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                transaction.Commit();
            }
        }
        catch (SqliteException exception) when (Unwritable(exception) is { } reason)
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}.", exception);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>True when the database opens and has been migrated; never throws (false after disposal).</remarks>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            return false;
        }

        try
        {
            using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM catalog WHERE id = 1", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (messageIds.Count == 0)
        {
            return known;
        }

        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in messageIds.Where(id => id is not null).Distinct(StringComparer.Ordinal).Chunk(MaxInListSize))
        {
            var found = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT message_id FROM message_ids WHERE message_id IN @Ids", new { Ids = chunk }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            known.UnionWith(found);
        }

        return known;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var found = new Dictionary<Identifier, Guid>();
        if (identifiers.Count == 0)
        {
            return found;
        }

        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (kind, chunk) in ChunkByKind(identifiers))
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                "SELECT kind AS Kind, value AS Value, profile_id AS ProfileId FROM identifiers WHERE kind = @Kind AND value IN @Values",
                new { Kind = Code(kind), Values = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var row in rows)
            {
                found[row.ToIdentifier()] = Id(row.ProfileId);
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var found = new HashSet<Identifier>();
        if (identifiers.Count == 0)
        {
            return found;
        }

        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (kind, chunk) in ChunkByKind(identifiers))
        {
            var values = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT value FROM suppressions WHERE kind = @Kind AND value IN @Values",
                new { Kind = Code(kind), Values = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            found.UnionWith(values.Select(value => new Identifier(kind, value)));
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProfileRow>(new CommandDefinition(
            $"SELECT {ProfileRow.Columns} FROM profiles WHERE id = @Id", new { Id = Id(profileId) }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <inheritdoc />
    /// <remarks>Ordered by kind, then by value (ordinal).</remarks>
    public async Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
            "SELECT kind AS Kind, value AS Value, profile_id AS ProfileId FROM identifiers WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToIdentifier()).OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventRow.Columns} FROM events WHERE profile_id = @Id ORDER BY sequence",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    /// <remarks>Ordered by <see cref="StoredMerge.At"/>, then by commit order.</remarks>
    public async Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MergeRow>(new CommandDefinition(
            $"SELECT {MergeRow.Columns} FROM merges WHERE survivor = @Id ORDER BY at, id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    /// <remarks>Ordered by segment key (ordinal).</remarks>
    public async Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
            $"SELECT {MembershipRow.Columns} FROM memberships WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord()).OrderBy(membership => membership.Segment, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    /// <remarks>Ordered by trait key (ordinal).</remarks>
    public async Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TraitValueRow>(new CommandDefinition(
            $"SELECT {TraitValueRow.Columns} FROM trait_values WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord()).OrderBy(value => value.Trait, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sql = after is null
            ? "SELECT id FROM profiles WHERE merged_into IS NULL ORDER BY id LIMIT @Limit"
            : "SELECT id FROM profiles WHERE merged_into IS NULL AND id > @After ORDER BY id LIMIT @Limit";
        var ids = await connection.QueryAsync<byte[]>(new CommandDefinition(
            sql, new { After = Id(after), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. ids.Select(Id)];
    }

    /// <inheritdoc />
    public async Task<long> CountProfilesAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM profiles WHERE merged_into IS NULL", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sql = after is null
            ? $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment = 1 ORDER BY profile_id LIMIT @Limit"
            : $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment = 1 AND profile_id > @After ORDER BY profile_id LIMIT @Limit";
        var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
            sql, new { Segment = segment, After = Id(after), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            $"SELECT {ChangeRow.Columns} FROM changes WHERE cursor > @After ORDER BY cursor LIMIT @Limit",
            new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    /// <remarks>Read in one snapshot. Definitions are ordered by kind, then by key (ordinal).</remarks>
    public async Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var rows = await connection.QueryAsync<DefinitionRow>(new CommandDefinition(
            $"SELECT {DefinitionRow.Columns} FROM definitions", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT version FROM catalog WHERE id = 1", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        transaction.Commit();
        IReadOnlyList<StoredDefinition> definitions =
            [.. rows.Select(row => row.ToRecord()).OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)];
        return (definitions, version);
    }

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public async Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var filters = (kind is null ? "" : " AND kind = @Kind") + (key is null ? "" : " AND key = @Key");
        var rows = await connection.QueryAsync<DefinitionChangeRow>(new CommandDefinition(
            $"SELECT {DefinitionChangeRow.Columns} FROM definition_history WHERE 1 = 1{filters} ORDER BY version DESC, id DESC LIMIT @Limit",
            new { Kind = Code(kind), Key = key, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);

        // A range on the (kind, value) primary key: values from the prefix up to the prefix followed by the highest character.
        var rows = await connection.QueryAsync<byte[]>(new CommandDefinition(
            "SELECT DISTINCT i.profile_id FROM identifiers i JOIN profiles p ON p.id = i.profile_id AND p.merged_into IS NULL " +
            "WHERE i.kind IN (@UserId, @AnonymousId) AND i.value >= @From AND i.value < @To ORDER BY i.profile_id LIMIT @Limit OFFSET @Offset",
            new
            {
                UserId = Code(IdentifierKind.UserId),
                AnonymousId = Code(IdentifierKind.AnonymousId),
                From = prefix,
                To = prefix + "\U0010FFFF",
                Limit = (long)limit,
                Offset = (long)offset,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(bytes => new Guid(bytes, bigEndian: true))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {ApiKeyRow.Columns} FROM api_keys ORDER BY id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <inheritdoc />
    /// <remarks>The highest sequence ever committed: deleting the events that carried it does not lower it.</remarks>
    public async Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last FROM event_sequence WHERE id = 1", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Waits for a running commit, closes the write connection and releases pooled read connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_writeConnection is not null)
            {
                await _writeConnection.DisposeAsync().ConfigureAwait(false);
                _writeConnection = null;
            }

            using var pooled = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Reads a setting of the write connection (for tests: settings like <c>synchronous</c> are per connection).</summary>
    internal async Task<long> ReadWriteConnectionPragmaAsync(string pragma, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenWriteConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"PRAGMA {pragma}", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            // Microsoft.Data.Sqlite retries a busy database until the command timeout on its own.
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_memoryMapSize > 0)
            {
                using var command = connection.CreateCommand();
                command.CommandText = _memoryMapPragma;
                command.ExecuteNonQuery();
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Only under _writeGate.
    /// <summary>WAL pages after which a commit checkpoints (SQLite's default is 1,000).</summary>
    private const int WalAutoCheckpointPages = 10_000;

    private async Task<SqliteConnection> OpenWriteConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeConnection is not null)
        {
            return _writeConnection;
        }

        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var journalMode = await connection.ExecuteScalarAsync<string>(
                new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new TinyCdpException(
                    TinyCdpErrorCode.StoreUnavailable,
                    $"SQLite refused write-ahead-log mode (journal mode is '{journalMode}'); the database must be a local file.");
            }

            // Checkpoints run inside the commit that crosses the threshold. At SQLite's default (1,000
            // pages) a commit of a few hundred messages dirties a few hundred pages (mostly the
            // events_profile index and trait values, at random places), so every fourth commit
            // copied them back and synced the database file; at 10,000 pages (a WAL of up to 40 MB)
            // the pages written again and again in between are copied once, and the COMMIT phase
            // took 25–35 % less time under the load generator (docs/benchmarks.md).
            var synchronous = _durability == SqliteDurability.Full ? "FULL" : "NORMAL";
            await connection.ExecuteAsync(new CommandDefinition(
                string.Create(CultureInfo.InvariantCulture,
                    $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = {WalAutoCheckpointPages};"),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            _writeConnection = connection;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static IEnumerable<(IdentifierKind Kind, string[] Values)> ChunkByKind(IEnumerable<Identifier> identifiers) =>
        identifiers
            .Where(identifier => identifier.Value is not null)
            .Distinct()
            .GroupBy(identifier => identifier.Kind)
            .SelectMany(group => group.Select(identifier => identifier.Value).Chunk(MaxInListSize).Select(chunk => (group.Key, chunk)));
}
