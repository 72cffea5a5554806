using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

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
    /// Besides <see cref="StoreTransaction.Validate"/> and the database's own constraints (a stored
    /// event sequence or message id), a merge is refused with <see cref="ArgumentException"/> when its
    /// survivor is the absorbed profile or was itself absorbed: either would break "an absorbed id
    /// resolves in one hop". Re-remembering a message id replaces its receive time. Deleting a profile
    /// keeps its change-feed entries and remembered message ids: the feed is an append-only log that
    /// must report the deletion, and dedupe must keep refusing replays of the deleted messages.
    /// </para>
    /// </remarks>
    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        transaction.Validate();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenWriteConnectionAsync(cancellationToken).ConfigureAwait(false);
            using var sqliteTransaction = connection.BeginTransaction();
            try
            {
                var cursors = Apply(connection, transaction, cancellationToken);
                sqliteTransaction.Commit();
                return cursors;
            }
            catch (SqliteException exception) when (Unwritable(exception) is { } reason)
            {
                RollBack(sqliteTransaction);
                throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}; nothing was stored.", exception);
            }
            catch
            {
                RollBack(sqliteTransaction);
                throw;
            }
        }
        catch (SqliteException exception) when (Unwritable(exception) is { } reason)
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}; nothing was stored.", exception);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Why the database cannot take writes now (full disk, read-only, I/O error, cannot open), or null for other failures.</summary>
    private static string? Unwritable(SqliteException exception) => (exception.SqliteErrorCode & 0xFF) switch
    {
        13 => "is full (no space left on the disk, or the size limit)",
        8 => "is read-only",
        10 => "could not write to the disk (I/O error)",
        14 => "file could not be opened",
        _ => null,
    };

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
    private static readonly string[] ApiKeyParameters = ["@Id", "@Hash", "@Kind", "@Description", "@CreatedAt", "@RevokedAt"];
    private static readonly string[] BeforeParameter = ["@Before"];

    // Runs inside the connection's open transaction. Each statement kind is prepared once per commit
    // (only when it has rows) and executed once per row, its values bound by position (see SqliteStatement):
    // no per-row reflection, parameter objects, name lookups or boxing. Every statement is disposed
    // (reset and finalized) before this returns or throws, so the transaction can commit or roll back.
    // Multi-row INSERT ... VALUES lists for events and message ids were measured and did not help
    // (no faster at 4 rows a statement, slower beyond): what a row costs is SQLite's own work.
    private static List<long> Apply(SqliteConnection connection, StoreTransaction changes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SqliteStatement Prepare(string sql, string[] parameterNames) => new(connection, sql, parameterNames, cancellationToken);

        if (changes.Profiles.Count > 0)
        {
            using var upsert = Prepare(UpsertProfile, ProfileParameters);
            foreach (var profile in changes.Profiles)
            {
                upsert.SetId(0, profile.Id);
                upsert.SetInt64(1, Instant(profile.CreatedAt));
                upsert.SetText(2, profile.PropertiesJson);
                upsert.SetText(3, profile.PropertyTimesJson);
                upsert.SetId(4, profile.MergedInto);
                upsert.SetInt64(5, profile.Version);
                upsert.Execute();
            }
        }

        if (changes.Merges.Count > 0)
        {
            using var survivorMergedInto = Prepare("SELECT merged_into FROM profiles WHERE id = @Survivor", SurvivorParameter);
            using var apply = Prepare(ApplyMerge, MergeParameters);
            foreach (var merge in changes.Merges)
            {
                survivorMergedInto.SetId(0, merge.Survivor);
                if (survivorMergedInto.ExecuteBlobs() is [{ } absorbedBy, ..])
                {
                    throw new ArgumentException(
                        $"Profile {merge.Survivor} was absorbed by {Id(absorbedBy)} and cannot absorb {merge.Absorbed}.", nameof(changes));
                }

                apply.SetId(0, merge.Survivor);
                apply.SetId(1, merge.Absorbed);
                apply.SetInt64(2, Instant(merge.At));
                apply.SetText(3, merge.MessageId);
                apply.Execute();
            }
        }

        if (changes.Identifiers.Count > 0)
        {
            using var upsert = Prepare(UpsertIdentifier, IdentifierParameters);
            foreach (var (identifier, profileId) in changes.Identifiers)
            {
                upsert.SetInt64(0, Code(identifier.Kind));
                upsert.SetText(1, identifier.Value);
                upsert.SetId(2, profileId);
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
                    insert.SetInt64(0, storedEvent.Sequence);
                    insert.SetText(1, storedEvent.MessageId);
                    insert.SetId(2, storedEvent.ProfileId);
                    insert.SetInt64(3, Code(storedEvent.Kind));
                    insert.SetText(4, storedEvent.Name);
                    insert.SetInt64(5, Instant(storedEvent.Timestamp));
                    insert.SetInt64(6, Instant(storedEvent.ReceivedAt));
                    insert.SetInt64(7, Instant(storedEvent.OriginalTimestamp));
                    insert.SetText(8, storedEvent.PropertiesJson);
                    insert.SetText(9, storedEvent.TraitsJson);
                    insert.Execute();
                    last = Math.Max(last, storedEvent.Sequence);
                }
            }

            using var advance = Prepare("UPDATE event_sequence SET last = MAX(last, @Last) WHERE id = 1", LastParameter);
            advance.SetInt64(0, last);
            advance.Execute();
        }

        if (changes.MessageIds.Count > 0)
        {
            using var insert = Prepare(UpsertMessageId, MessageIdParameters);
            foreach (var (messageId, receivedAt) in changes.MessageIds)
            {
                insert.SetText(0, messageId);
                insert.SetInt64(1, Instant(receivedAt));
                insert.Execute();
            }
        }

        if (changes.Memberships.Count > 0)
        {
            using var upsert = Prepare(UpsertMembership, MembershipParameters);
            foreach (var membership in changes.Memberships)
            {
                upsert.SetId(0, membership.ProfileId);
                upsert.SetText(1, membership.Segment);
                upsert.SetBoolean(2, membership.InSegment);
                upsert.SetInt64(3, Instant(membership.Since));
                upsert.SetInt64(4, Instant(membership.UpdatedAt));
                upsert.Execute();
            }
        }

        if (changes.TraitValues.Count > 0)
        {
            using var upsert = Prepare(UpsertTraitValue, TraitValueParameters);
            foreach (var value in changes.TraitValues)
            {
                upsert.SetId(0, value.ProfileId);
                upsert.SetText(1, value.Trait);
                upsert.SetText(2, value.ValueJson);
                upsert.SetInt64(3, Instant(value.UpdatedAt));
                upsert.Execute();
            }
        }

        var cursors = new List<long>(changes.Changes.Count);
        if (changes.Changes.Count > 0)
        {
            using var insert = Prepare(InsertChange, ChangeParameters);
            foreach (var change in changes.Changes)
            {
                insert.SetId(0, change.ProfileId);
                insert.SetText(1, change.UserId);
                insert.SetText(2, change.Segment);
                insert.SetBoolean(3, change.Entered);
                insert.SetInt64(4, Instant(change.At));
                insert.SetInt64(5, Code(change.Cause));
                cursors.Add(insert.ExecuteInt64());
            }
        }

        if (changes.DeletedProfiles.Count > 0)
        {
            using var selectDoomed = Prepare(SelectDoomedProfiles, IdParameter);
            using var delete = Prepare(DeleteProfile, IdParameter);
            foreach (var profileId in changes.DeletedProfiles)
            {
                selectDoomed.SetId(0, profileId);
                foreach (var doomed in selectDoomed.ExecuteBlobs())
                {
                    delete.SetBlob(0, doomed);
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
                insert.SetInt64(0, Code(identifier.Kind));
                insert.SetText(1, identifier.Value);
                insert.Execute();
            }
        }

        if (changes.Definitions.Count > 0)
        {
            using var upsert = Prepare(UpsertDefinition, DefinitionParameters);
            foreach (var definition in changes.Definitions)
            {
                upsert.SetInt64(0, Code(definition.Kind));
                upsert.SetText(1, definition.Key);
                upsert.SetText(2, definition.BodyJson);
                upsert.SetInt64(3, definition.Version);
                upsert.SetInt64(4, Instant(definition.CreatedAt));
                upsert.SetInt64(5, Instant(definition.UpdatedAt));
                upsert.Execute();
            }
        }

        if (changes.DeletedDefinitions.Count > 0)
        {
            using var delete = Prepare("DELETE FROM definitions WHERE kind = @Kind AND key = @Key", KindKeyParameters);
            foreach (var (kind, key) in changes.DeletedDefinitions)
            {
                delete.SetInt64(0, Code(kind));
                delete.SetText(1, key);
                delete.Execute();
            }
        }

        if (changes.DefinitionChanges.Count > 0)
        {
            using var insert = Prepare(InsertDefinitionChange, DefinitionChangeParameters);
            foreach (var change in changes.DefinitionChanges)
            {
                insert.SetInt64(0, change.Version);
                insert.SetInt64(1, Code(change.Kind));
                insert.SetText(2, change.Key);
                insert.SetText(3, change.Actor);
                insert.SetInt64(4, Instant(change.At));
                insert.SetText(5, change.BeforeJson);
                insert.SetText(6, change.AfterJson);
                insert.Execute();
            }
        }

        if (changes.CatalogVersion is { } version)
        {
            using var update = Prepare("UPDATE catalog SET version = @Version WHERE id = 1", VersionParameter);
            update.SetInt64(0, version);
            update.Execute();
        }

        if (changes.ApiKeys.Count > 0)
        {
            using var upsert = Prepare(
                "INSERT INTO api_keys (id, hash, kind, description, created_at, revoked_at) VALUES (@Id, @Hash, @Kind, @Description, @CreatedAt, @RevokedAt) " +
                "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, description = excluded.description, " +
                "created_at = excluded.created_at, revoked_at = excluded.revoked_at",
                ApiKeyParameters);
            foreach (var key in changes.ApiKeys)
            {
                ArgumentNullException.ThrowIfNull(key);
                upsert.SetText(0, key.Id ?? throw new ArgumentException("An API key needs an id.", nameof(changes)));
                upsert.SetText(1, key.Hash ?? throw new ArgumentException("An API key needs a hash.", nameof(changes)));
                upsert.SetInt64(2, Code(key.Kind));
                upsert.SetText(3, key.Description);
                upsert.SetInt64(4, Instant(key.CreatedAt));
                upsert.SetInt64(5, Instant(key.RevokedAt));
                upsert.Execute();
            }
        }

        if (changes.ForgetMessageIdsBefore is { } before)
        {
            using var forget = Prepare("DELETE FROM message_ids WHERE received_at < @Before", BeforeParameter);
            forget.SetInt64(0, Instant(before));
            forget.Execute();
        }

        return cursors;
    }
}
