using Dapper;
using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

public sealed partial class SqliteCdpStore
{
    private const string UpsertProfile = """
        INSERT INTO profiles (id, created_at, properties, property_times, merged_into, version)
        VALUES (@Id, @CreatedAt, @Properties, @PropertyTimes, @MergedInto, @Version)
        ON CONFLICT (id) DO UPDATE SET
            created_at = excluded.created_at, properties = excluded.properties, property_times = excluded.property_times,
            merged_into = excluded.merged_into, version = excluded.version
        """;

    // The absorbed profile's rows move to the survivor. On a trait clash the survivor's value stays
    // (the engine recomputes the survivor's traits anyway); the absorbed memberships go (the engine
    // writes the survivor's). Profiles absorbed earlier by the absorbed one now point at the survivor,
    // so an absorbed id always resolves in one hop.
    private const string ApplyMerge = """
        UPDATE events SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        UPDATE identifiers SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        DELETE FROM trait_values WHERE profile_id = @Absorbed AND trait IN (SELECT trait FROM trait_values WHERE profile_id = @Survivor);
        UPDATE trait_values SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        DELETE FROM memberships WHERE profile_id = @Absorbed;
        UPDATE profiles SET merged_into = @Survivor WHERE id = @Absorbed OR merged_into = @Absorbed;
        INSERT INTO merges (survivor, absorbed, at, message_id) VALUES (@Survivor, @Absorbed, @At, @MessageId);
        """;

    private const string UpsertIdentifier = """
        INSERT INTO identifiers (kind, value, profile_id) VALUES (@Kind, @Value, @ProfileId)
        ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id
        """;

    private const string InsertEvent = """
        INSERT INTO events (sequence, message_id, profile_id, kind, name, timestamp, received_at, original_timestamp, properties, traits)
        VALUES (@Sequence, @MessageId, @ProfileId, @Kind, @Name, @Timestamp, @ReceivedAt, @OriginalTimestamp, @Properties, @Traits)
        """;

    private const string UpsertMessageId = """
        INSERT INTO message_ids (message_id, received_at) VALUES (@MessageId, @ReceivedAt)
        """;

    private const string UpsertMembership = """
        INSERT INTO memberships (profile_id, segment, in_segment, since, updated_at)
        VALUES (@ProfileId, @Segment, @InSegment, @Since, @UpdatedAt)
        ON CONFLICT (profile_id, segment) DO UPDATE SET
            in_segment = excluded.in_segment, since = excluded.since, updated_at = excluded.updated_at
        """;

    private const string UpsertTraitValue = """
        INSERT INTO trait_values (profile_id, trait, value, updated_at) VALUES (@ProfileId, @Trait, @Value, @UpdatedAt)
        ON CONFLICT (profile_id, trait) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    private const string InsertChange = """
        INSERT INTO changes (profile_id, user_id, segment, entered, at, cause)
        VALUES (@ProfileId, @UserId, @Segment, @Entered, @At, @Cause)
        RETURNING cursor
        """;

    // The profile and every profile absorbed into it, at any depth (one hop when chains were re-pointed).
    private const string SelectDoomedProfiles = """
        WITH RECURSIVE doomed (id) AS (
            SELECT @Id
            UNION
            SELECT profiles.id FROM profiles JOIN doomed ON profiles.merged_into = doomed.id
        )
        SELECT id FROM doomed
        """;

    private const string DeleteProfile = """
        DELETE FROM events WHERE profile_id = @Id;
        DELETE FROM identifiers WHERE profile_id = @Id;
        DELETE FROM memberships WHERE profile_id = @Id;
        DELETE FROM trait_values WHERE profile_id = @Id;
        DELETE FROM merges WHERE survivor = @Id OR absorbed = @Id;
        DELETE FROM profiles WHERE id = @Id;
        """;

    private const string UpsertDefinition = """
        INSERT INTO definitions (kind, key, body, version, created_at, updated_at)
        VALUES (@Kind, @Key, @Body, @Version, @CreatedAt, @UpdatedAt)
        ON CONFLICT (kind, key) DO UPDATE SET
            body = excluded.body, version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at
        """;

    private const string InsertDefinitionChange = """
        INSERT INTO definition_history (version, kind, key, actor, at, before, after)
        VALUES (@Version, @Kind, @Key, @Actor, @At, @Before, @After)
        """;

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// One <c>BEGIN IMMEDIATE</c> transaction, applied in the order of the members of
    /// <see cref="StoreTransaction"/>. On any failure (including cancellation) it is rolled back and the
    /// exception rethrown: nothing of the transaction is stored.
    /// </para>
    /// <para>
    /// Besides the database's own constraints (a stored or repeated event sequence or message id, a null
    /// where a value is required), a merge is refused with <see cref="ArgumentException"/> when its
    /// survivor is the absorbed profile or was itself absorbed: either would break "an absorbed id
    /// resolves in one hop". Re-remembering a message id replaces its receive time. Deleting a profile
    /// keeps its change-feed entries and remembered message ids: the feed is an append-only log that
    /// must report the deletion, and dedupe must keep refusing replays of the deleted messages.
    /// </para>
    /// </remarks>
    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenWriteConnectionAsync(cancellationToken).ConfigureAwait(false);
            using var sqliteTransaction = connection.BeginTransaction();
            try
            {
                var cursors = await ApplyAsync(connection, sqliteTransaction, transaction, cancellationToken).ConfigureAwait(false);
                sqliteTransaction.Commit();
                return cursors;
            }
            catch
            {
                RollBack(sqliteTransaction);
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static void RollBack(SqliteTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (SqliteException)
        {
            // SQLite may have rolled back already (a full disk, an I/O error); the original failure is what matters.
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }
    }

    private static async Task<IReadOnlyList<long>> ApplyAsync(
        SqliteConnection connection, SqliteTransaction transaction, StoreTransaction changes, CancellationToken cancellationToken)
    {
        Task<int> ExecuteAsync(string sql, object? parameters) =>
            connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

        if (changes.Profiles.Count > 0)
        {
            await ExecuteAsync(UpsertProfile, changes.Profiles.Select(ProfileRow.From).ToList()).ConfigureAwait(false);
        }

        foreach (var merge in changes.Merges)
        {
            ArgumentNullException.ThrowIfNull(merge, nameof(changes));
            if (merge.Survivor == merge.Absorbed)
            {
                throw new ArgumentException($"Profile {merge.Survivor} cannot absorb itself.", nameof(changes));
            }

            var row = MergeRow.From(merge);
            var survivorMergedInto = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
                "SELECT merged_into FROM profiles WHERE id = @Survivor", row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (survivorMergedInto is not null)
            {
                throw new ArgumentException(
                    $"Profile {merge.Survivor} was absorbed by {Id(survivorMergedInto)} and cannot absorb {merge.Absorbed}.", nameof(changes));
            }

            await ExecuteAsync(ApplyMerge, row).ConfigureAwait(false);
        }

        if (changes.Identifiers.Count > 0)
        {
            await ExecuteAsync(UpsertIdentifier, changes.Identifiers.Select(entry => IdentifierRow.From(entry.Identifier, entry.ProfileId)).ToList())
                .ConfigureAwait(false);
        }

        if (changes.Events.Count > 0)
        {
            await ExecuteAsync(InsertEvent, changes.Events.Select(EventRow.From).ToList()).ConfigureAwait(false);
            await ExecuteAsync(
                "UPDATE event_sequence SET last = MAX(last, @Last) WHERE id = 1",
                new { Last = changes.Events.Max(storedEvent => storedEvent.Sequence) }).ConfigureAwait(false);
        }

        if (changes.MessageIds.Count > 0)
        {
            await ExecuteAsync(UpsertMessageId, changes.MessageIds.Select(entry => new { entry.MessageId, ReceivedAt = Instant(entry.ReceivedAt) }).ToList())
                .ConfigureAwait(false);
        }

        if (changes.Memberships.Count > 0)
        {
            await ExecuteAsync(UpsertMembership, changes.Memberships.Select(MembershipRow.From).ToList()).ConfigureAwait(false);
        }

        if (changes.TraitValues.Count > 0)
        {
            await ExecuteAsync(UpsertTraitValue, changes.TraitValues.Select(TraitValueRow.From).ToList()).ConfigureAwait(false);
        }

        var cursors = new List<long>(changes.Changes.Count);
        foreach (var change in changes.Changes)
        {
            cursors.Add(await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                InsertChange, ChangeRow.From(change), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false));
        }

        foreach (var profileId in changes.DeletedProfiles)
        {
            var doomed = await connection.QueryAsync<byte[]>(new CommandDefinition(
                SelectDoomedProfiles, new { Id = Id(profileId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await ExecuteAsync(DeleteProfile, doomed.Select(id => new { Id = id }).ToList()).ConfigureAwait(false);
        }

        if (changes.Suppressions.Count > 0)
        {
            await ExecuteAsync(
                "INSERT INTO suppressions (kind, value) VALUES (@Kind, @Value) ON CONFLICT (kind, value) DO NOTHING",
                changes.Suppressions.Select(identifier => new { Kind = Code(identifier.Kind), identifier.Value }).ToList()).ConfigureAwait(false);
        }

        if (changes.Definitions.Count > 0)
        {
            await ExecuteAsync(UpsertDefinition, changes.Definitions.Select(DefinitionRow.From).ToList()).ConfigureAwait(false);
        }

        if (changes.DeletedDefinitions.Count > 0)
        {
            await ExecuteAsync(
                "DELETE FROM definitions WHERE kind = @Kind AND key = @Key",
                changes.DeletedDefinitions.Select(entry => new { Kind = Code(entry.Kind), entry.Key }).ToList()).ConfigureAwait(false);
        }

        if (changes.DefinitionChanges.Count > 0)
        {
            await ExecuteAsync(InsertDefinitionChange, changes.DefinitionChanges.Select(DefinitionChangeRow.From).ToList()).ConfigureAwait(false);
        }

        if (changes.CatalogVersion is { } version)
        {
            await ExecuteAsync("UPDATE catalog SET version = @Version WHERE id = 1", new { Version = version }).ConfigureAwait(false);
        }

        if (changes.ForgetMessageIdsBefore is { } before)
        {
            await ExecuteAsync("DELETE FROM message_ids WHERE received_at < @Before", new { Before = Instant(before) }).ConfigureAwait(false);
        }

        return cursors;
    }
}
