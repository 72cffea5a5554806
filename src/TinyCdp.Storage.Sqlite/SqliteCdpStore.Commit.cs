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
                var cursors = Apply(connection, sqliteTransaction, transaction, cancellationToken);
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

    private static readonly string[] ProfileParameters = ["@Id", "@CreatedAt", "@Properties", "@PropertyTimes", "@MergedInto", "@Version"];
    private static readonly string[] MergeParameters = ["@Survivor", "@Absorbed", "@At", "@MessageId"];
    private static readonly string[] IdentifierParameters = ["@Kind", "@Value", "@ProfileId"];
    private static readonly string[] EventParameters =
        ["@Sequence", "@MessageId", "@ProfileId", "@Kind", "@Name", "@Timestamp", "@ReceivedAt", "@OriginalTimestamp", "@Properties", "@Traits"];
    private static readonly string[] MessageIdParameters = ["@MessageId", "@ReceivedAt"];
    private static readonly string[] MembershipParameters = ["@ProfileId", "@Segment", "@InSegment", "@Since", "@UpdatedAt"];
    private static readonly string[] TraitValueParameters = ["@ProfileId", "@Trait", "@Value", "@UpdatedAt"];
    private static readonly string[] ChangeParameters = ["@ProfileId", "@UserId", "@Segment", "@Entered", "@At", "@Cause"];
    private static readonly string[] DefinitionParameters = ["@Kind", "@Key", "@Body", "@Version", "@CreatedAt", "@UpdatedAt"];
    private static readonly string[] DefinitionChangeParameters = ["@Version", "@Kind", "@Key", "@Actor", "@At", "@Before", "@After"];
    private static readonly string[] IdParameter = ["@Id"];
    private static readonly string[] SurvivorParameter = ["@Survivor"];
    private static readonly string[] LastParameter = ["@Last"];
    private static readonly string[] KindValueParameters = ["@Kind", "@Value"];
    private static readonly string[] KindKeyParameters = ["@Kind", "@Key"];
    private static readonly string[] VersionParameter = ["@Version"];
    private static readonly string[] BeforeParameter = ["@Before"];

    // Each statement kind is prepared once per commit and executed once per row, with the values
    // assigned by position (see SqliteStatement); nothing is bound by reflection or looked up by name
    // more than once per parameter and row.
    private static List<long> Apply(
        SqliteConnection connection, SqliteTransaction transaction, StoreTransaction changes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SqliteStatement Prepare(string sql, string[] parameterNames) => new(connection, transaction, sql, parameterNames, cancellationToken);

        if (changes.Profiles.Count > 0)
        {
            using var upsert = Prepare(UpsertProfile, ProfileParameters);
            foreach (var profile in changes.Profiles)
            {
                upsert.Set(0, Id(profile.Id));
                upsert.Set(1, Instant(profile.CreatedAt));
                upsert.Set(2, profile.PropertiesJson);
                upsert.Set(3, profile.PropertyTimesJson);
                upsert.Set(4, Id(profile.MergedInto));
                upsert.Set(5, profile.Version);
                upsert.Execute();
            }
        }

        if (changes.Merges.Count > 0)
        {
            using var survivorMergedInto = Prepare("SELECT merged_into FROM profiles WHERE id = @Survivor", SurvivorParameter);
            using var apply = Prepare(ApplyMerge, MergeParameters);
            foreach (var merge in changes.Merges)
            {
                ArgumentNullException.ThrowIfNull(merge, nameof(changes));
                if (merge.Survivor == merge.Absorbed)
                {
                    throw new ArgumentException($"Profile {merge.Survivor} cannot absorb itself.", nameof(changes));
                }

                var survivor = Id(merge.Survivor);
                survivorMergedInto.Set(0, survivor);
                if (survivorMergedInto.ExecuteScalar() is byte[] absorbedBy)
                {
                    throw new ArgumentException(
                        $"Profile {merge.Survivor} was absorbed by {Id(absorbedBy)} and cannot absorb {merge.Absorbed}.", nameof(changes));
                }

                apply.Set(0, survivor);
                apply.Set(1, Id(merge.Absorbed));
                apply.Set(2, Instant(merge.At));
                apply.Set(3, merge.MessageId);
                apply.Execute();
            }
        }

        if (changes.Identifiers.Count > 0)
        {
            using var upsert = Prepare(UpsertIdentifier, IdentifierParameters);
            foreach (var (identifier, profileId) in changes.Identifiers)
            {
                upsert.Set(0, Code(identifier.Kind));
                upsert.Set(1, identifier.Value);
                upsert.Set(2, Id(profileId));
                upsert.Execute();
            }
        }

        if (changes.Events.Count > 0)
        {
            var last = long.MinValue;
            using (var insert = Prepare(InsertEvent, EventParameters))
            {
                foreach (var storedEvent in changes.Events)
                {
                    insert.Set(0, storedEvent.Sequence);
                    insert.Set(1, storedEvent.MessageId);
                    insert.Set(2, Id(storedEvent.ProfileId));
                    insert.Set(3, Code(storedEvent.Kind));
                    insert.Set(4, storedEvent.Name);
                    insert.Set(5, Instant(storedEvent.Timestamp));
                    insert.Set(6, Instant(storedEvent.ReceivedAt));
                    insert.Set(7, Instant(storedEvent.OriginalTimestamp));
                    insert.Set(8, storedEvent.PropertiesJson);
                    insert.Set(9, storedEvent.TraitsJson);
                    insert.Execute();
                    last = Math.Max(last, storedEvent.Sequence);
                }
            }

            using var advance = Prepare("UPDATE event_sequence SET last = MAX(last, @Last) WHERE id = 1", LastParameter);
            advance.Set(0, last);
            advance.Execute();
        }

        if (changes.MessageIds.Count > 0)
        {
            using var insert = Prepare(UpsertMessageId, MessageIdParameters);
            foreach (var (messageId, receivedAt) in changes.MessageIds)
            {
                insert.Set(0, messageId);
                insert.Set(1, Instant(receivedAt));
                insert.Execute();
            }
        }

        if (changes.Memberships.Count > 0)
        {
            using var upsert = Prepare(UpsertMembership, MembershipParameters);
            foreach (var membership in changes.Memberships)
            {
                upsert.Set(0, Id(membership.ProfileId));
                upsert.Set(1, membership.Segment);
                upsert.Set(2, membership.InSegment ? 1L : 0L);
                upsert.Set(3, Instant(membership.Since));
                upsert.Set(4, Instant(membership.UpdatedAt));
                upsert.Execute();
            }
        }

        if (changes.TraitValues.Count > 0)
        {
            using var upsert = Prepare(UpsertTraitValue, TraitValueParameters);
            foreach (var value in changes.TraitValues)
            {
                upsert.Set(0, Id(value.ProfileId));
                upsert.Set(1, value.Trait);
                upsert.Set(2, value.ValueJson);
                upsert.Set(3, Instant(value.UpdatedAt));
                upsert.Execute();
            }
        }

        var cursors = new List<long>(changes.Changes.Count);
        if (changes.Changes.Count > 0)
        {
            using var insert = Prepare(InsertChange, ChangeParameters);
            foreach (var change in changes.Changes)
            {
                insert.Set(0, Id(change.ProfileId));
                insert.Set(1, change.UserId);
                insert.Set(2, change.Segment);
                insert.Set(3, change.Entered ? 1L : 0L);
                insert.Set(4, Instant(change.At));
                insert.Set(5, Code(change.Cause));
                cursors.Add((long)insert.ExecuteScalar()!);
            }
        }

        if (changes.DeletedProfiles.Count > 0)
        {
            using var selectDoomed = Prepare(SelectDoomedProfiles, IdParameter);
            using var delete = Prepare(DeleteProfile, IdParameter);
            foreach (var profileId in changes.DeletedProfiles)
            {
                selectDoomed.Set(0, Id(profileId));
                foreach (var doomed in selectDoomed.ExecuteColumn<byte[]>())
                {
                    delete.Set(0, doomed);
                    delete.Execute();
                }
            }
        }

        if (changes.Suppressions.Count > 0)
        {
            using var insert = Prepare(
                "INSERT INTO suppressions (kind, value) VALUES (@Kind, @Value) ON CONFLICT (kind, value) DO NOTHING", KindValueParameters);
            foreach (var identifier in changes.Suppressions)
            {
                insert.Set(0, Code(identifier.Kind));
                insert.Set(1, identifier.Value);
                insert.Execute();
            }
        }

        if (changes.Definitions.Count > 0)
        {
            using var upsert = Prepare(UpsertDefinition, DefinitionParameters);
            foreach (var definition in changes.Definitions)
            {
                upsert.Set(0, Code(definition.Kind));
                upsert.Set(1, definition.Key);
                upsert.Set(2, definition.BodyJson);
                upsert.Set(3, definition.Version);
                upsert.Set(4, Instant(definition.CreatedAt));
                upsert.Set(5, Instant(definition.UpdatedAt));
                upsert.Execute();
            }
        }

        if (changes.DeletedDefinitions.Count > 0)
        {
            using var delete = Prepare("DELETE FROM definitions WHERE kind = @Kind AND key = @Key", KindKeyParameters);
            foreach (var (kind, key) in changes.DeletedDefinitions)
            {
                delete.Set(0, Code(kind));
                delete.Set(1, key);
                delete.Execute();
            }
        }

        if (changes.DefinitionChanges.Count > 0)
        {
            using var insert = Prepare(InsertDefinitionChange, DefinitionChangeParameters);
            foreach (var change in changes.DefinitionChanges)
            {
                insert.Set(0, change.Version);
                insert.Set(1, Code(change.Kind));
                insert.Set(2, change.Key);
                insert.Set(3, change.Actor);
                insert.Set(4, Instant(change.At));
                insert.Set(5, change.BeforeJson);
                insert.Set(6, change.AfterJson);
                insert.Execute();
            }
        }

        if (changes.CatalogVersion is { } version)
        {
            using var update = Prepare("UPDATE catalog SET version = @Version WHERE id = 1", VersionParameter);
            update.Set(0, version);
            update.Execute();
        }

        if (changes.ForgetMessageIdsBefore is { } before)
        {
            using var forget = Prepare("DELETE FROM message_ids WHERE received_at < @Before", BeforeParameter);
            forget.Set(0, Instant(before));
            forget.Execute();
        }

        return cursors;
    }
}
