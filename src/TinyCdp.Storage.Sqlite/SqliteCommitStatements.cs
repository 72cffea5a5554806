using Microsoft.Data.Sqlite;
using TinyCdp.Definitions;
using TinyCdp.Identity;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The SQLite store's statements for each section of a transaction (<see cref="IStoreTransactionVisitor"/>),
/// run on the write connection inside its open transaction.
/// </summary>
/// <remarks>
/// Each statement kind is prepared once per commit (only when its section has rows) and executed once per
/// row, its values bound by position (see <see cref="SqliteStatement"/>): no per-row reflection, parameter
/// objects, name lookups or boxing. Every statement is disposed (reset and finalized) before its member
/// returns or throws, so the transaction can commit or roll back. Multi-row <c>INSERT ... VALUES</c> lists
/// for events and message ids were measured and did not help (no faster at 4 rows a statement, slower
/// beyond): what a row costs is SQLite's own work.
/// </remarks>
internal sealed class SqliteCommitStatements(SqliteConnection connection, CancellationToken cancellationToken) : IStoreTransactionVisitor
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

    // The kept counts of the change feed (StoredSegmentSizeChange): one upsert per segment and hour, one per segment.
    private const string AddSegmentSizeHistory = """
        INSERT INTO segment_size_history (segment, hour, entered, exited) VALUES (@Segment, @Hour, @Entered, @Exited)
        ON CONFLICT (segment, hour) DO UPDATE SET entered = entered + excluded.entered, exited = exited + excluded.exited
        """;

    private const string AddSegmentSize = """
        INSERT INTO segment_sizes (segment, members) VALUES (@Segment, @Delta)
        ON CONFLICT (segment) DO UPDATE SET members = members + excluded.members
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

    private const string SelectSurvivorMergedInto = "SELECT merged_into FROM profiles WHERE id = @Survivor";

    private const string AdvanceLastSequence = "UPDATE event_sequence SET last = MAX(last, @Last) WHERE id = 1";

    private const string InsertSuppression =
        "INSERT INTO suppressions (kind, value) VALUES (@Kind, @Value) ON CONFLICT (kind, value) DO NOTHING";

    private const string DeleteDefinition = "DELETE FROM definitions WHERE kind = @Kind AND key = @Key";

    private const string UpdateCatalogVersion = "UPDATE catalog SET version = @Version WHERE id = 1";

    private const string UpsertApiKey =
        "INSERT INTO api_keys (id, hash, kind, description, created_at, revoked_at) VALUES (@Id, @Hash, @Kind, @Description, @CreatedAt, @RevokedAt) " +
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, description = excluded.description, " +
        "created_at = excluded.created_at, revoked_at = excluded.revoked_at";

    private const string ForgetMessageIds = "DELETE FROM message_ids WHERE received_at < @Before";

    private static readonly string[] ProfileParameters = ["@Id", "@CreatedAt", "@Properties", "@PropertyTimes", "@MergedInto", "@Version"];
    private static readonly string[] MergeParameters = ["@Survivor", "@Absorbed", "@At", "@MessageId"];
    private static readonly string[] IdentifierParameters = ["@Kind", "@Value", "@ProfileId"];
    private static readonly string[] EventParameters =
        ["@Sequence", "@MessageId", "@ProfileId", "@Kind", "@Name", "@Timestamp", "@ReceivedAt", "@OriginalTimestamp", "@Properties", "@Traits"];
    private static readonly string[] MessageIdParameters = ["@MessageId", "@ReceivedAt"];
    private static readonly string[] MembershipParameters = ["@ProfileId", "@Segment", "@InSegment", "@Since", "@UpdatedAt"];
    private static readonly string[] TraitValueParameters = ["@ProfileId", "@Trait", "@Value", "@UpdatedAt"];
    private static readonly string[] ChangeParameters = ["@ProfileId", "@UserId", "@Segment", "@Entered", "@At", "@Cause"];
    private static readonly string[] SegmentSizeHistoryParameters = ["@Segment", "@Hour", "@Entered", "@Exited"];
    private static readonly string[] SegmentSizeParameters = ["@Segment", "@Delta"];
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

    private readonly List<long> _cursors = [];

    /// <summary>The cursors the database assigned to the transaction's changes, in list order.</summary>
    public List<long> Cursors => _cursors;

    public void ReplaceProfiles(IReadOnlyList<StoredProfile> profiles)
    {
        using var upsert = Prepare(UpsertProfile, ProfileParameters);
        foreach (var profile in profiles)
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

    // Refused when the survivor was itself absorbed (by then, earlier rows of the transaction included):
    // it would break "an absorbed id resolves in one hop".
    public void ApplyMerges(IReadOnlyList<StoredMerge> merges)
    {
        using var survivorMergedInto = Prepare(SelectSurvivorMergedInto, SurvivorParameter);
        using var apply = Prepare(ApplyMerge, MergeParameters);
        foreach (var merge in merges)
        {
            survivorMergedInto.SetId(0, merge.Survivor);
            if (survivorMergedInto.ExecuteBlobs() is [{ } absorbedBy, ..])
            {
                throw new ArgumentException(
                    $"Profile {merge.Survivor} was absorbed by {Id(absorbedBy)} and cannot absorb {merge.Absorbed}.", "changes");
            }

            apply.SetId(0, merge.Survivor);
            apply.SetId(1, merge.Absorbed);
            apply.SetInt64(2, Instant(merge.At));
            apply.SetText(3, merge.MessageId);
            apply.Execute();
        }
    }

    public void AttachIdentifiers(IReadOnlyList<(Identifier Identifier, Guid ProfileId)> identifiers)
    {
        using var upsert = Prepare(UpsertIdentifier, IdentifierParameters);
        foreach (var (identifier, profileId) in identifiers)
        {
            upsert.SetInt64(0, Code(identifier.Kind));
            upsert.SetText(1, identifier.Value);
            upsert.SetId(2, profileId);
            upsert.Execute();
        }
    }

    public void AppendEvents(IReadOnlyList<StoredEvent> events)
    {
        var last = long.MinValue;
        using (var insert = Prepare(InsertEvent, EventParameters))
        {
            foreach (var storedEvent in events)
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

        using var advance = Prepare(AdvanceLastSequence, LastParameter);
        advance.SetInt64(0, last);
        advance.Execute();
    }

    public void RememberMessageIds(IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)> messageIds)
    {
        using var insert = Prepare(UpsertMessageId, MessageIdParameters);
        foreach (var (messageId, receivedAt) in messageIds)
        {
            insert.SetText(0, messageId);
            insert.SetInt64(1, Instant(receivedAt));
            insert.Execute();
        }
    }

    public void ReplaceMemberships(IReadOnlyList<StoredMembership> memberships)
    {
        using var upsert = Prepare(UpsertMembership, MembershipParameters);
        foreach (var membership in memberships)
        {
            upsert.SetId(0, membership.ProfileId);
            upsert.SetText(1, membership.Segment);
            upsert.SetBoolean(2, membership.InSegment);
            upsert.SetInt64(3, Instant(membership.Since));
            upsert.SetInt64(4, Instant(membership.UpdatedAt));
            upsert.Execute();
        }
    }

    public void ReplaceTraitValues(IReadOnlyList<StoredTraitValue> traitValues)
    {
        using var upsert = Prepare(UpsertTraitValue, TraitValueParameters);
        foreach (var value in traitValues)
        {
            upsert.SetId(0, value.ProfileId);
            upsert.SetText(1, value.Trait);
            upsert.SetText(2, value.ValueJson);
            upsert.SetInt64(3, Instant(value.UpdatedAt));
            upsert.Execute();
        }
    }

    public void AppendChanges(IReadOnlyList<StoredChange> changes)
    {
        using var insert = Prepare(InsertChange, ChangeParameters);
        foreach (var change in changes)
        {
            insert.SetId(0, change.ProfileId);
            insert.SetText(1, change.UserId);
            insert.SetText(2, change.Segment);
            insert.SetBoolean(3, change.Entered);
            insert.SetInt64(4, Instant(change.At));
            insert.SetInt64(5, Code(change.Cause));
            _cursors.Add(insert.ExecuteInt64());
        }

        var tally = StoredSegmentSizeChange.Tally(changes);
        using (var history = Prepare(AddSegmentSizeHistory, SegmentSizeHistoryParameters))
        {
            foreach (var hour in tally)
            {
                history.SetText(0, hour.Segment);
                history.SetInt64(1, Instant(hour.Hour));
                history.SetInt64(2, hour.Entered);
                history.SetInt64(3, hour.Exited);
                history.Execute();
            }
        }

        using var size = Prepare(AddSegmentSize, SegmentSizeParameters);
        foreach (var segment in tally.GroupBy(hour => hour.Segment, StringComparer.Ordinal))
        {
            size.SetText(0, segment.Key);
            size.SetInt64(1, segment.Sum(hour => hour.Entered - hour.Exited));
            size.Execute();
        }
    }

    public void DeleteProfiles(IReadOnlyList<Guid> profileIds)
    {
        using var selectDoomed = Prepare(SelectDoomedProfiles, IdParameter);
        using var delete = Prepare(DeleteProfile, IdParameter);
        foreach (var profileId in profileIds)
        {
            selectDoomed.SetId(0, profileId);
            foreach (var doomed in selectDoomed.ExecuteBlobs())
            {
                delete.SetBlob(0, doomed);
                delete.Execute();
            }
        }
    }

    public void AddSuppressions(IReadOnlyList<Identifier> identifiers)
    {
        using var insert = Prepare(InsertSuppression, KindValueParameters);
        foreach (var identifier in identifiers)
        {
            insert.SetInt64(0, Code(identifier.Kind));
            insert.SetText(1, identifier.Value);
            insert.Execute();
        }
    }

    public void ReplaceDefinitions(IReadOnlyList<StoredDefinition> definitions)
    {
        using var upsert = Prepare(UpsertDefinition, DefinitionParameters);
        foreach (var definition in definitions)
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

    public void DeleteDefinitions(IReadOnlyList<(DefinitionKind Kind, string Key)> definitions)
    {
        using var delete = Prepare(DeleteDefinition, KindKeyParameters);
        foreach (var (kind, key) in definitions)
        {
            delete.SetInt64(0, Code(kind));
            delete.SetText(1, key);
            delete.Execute();
        }
    }

    public void AppendDefinitionChanges(IReadOnlyList<StoredDefinitionChange> changes)
    {
        using var insert = Prepare(InsertDefinitionChange, DefinitionChangeParameters);
        foreach (var change in changes)
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

    public void SetCatalogVersion(long version)
    {
        using var update = Prepare(UpdateCatalogVersion, VersionParameter);
        update.SetInt64(0, version);
        update.Execute();
    }

    public void ReplaceApiKeys(IReadOnlyList<StoredApiKey> apiKeys)
    {
        using var upsert = Prepare(UpsertApiKey, ApiKeyParameters);
        foreach (var key in apiKeys)
        {
            ArgumentNullException.ThrowIfNull(key);
            upsert.SetText(0, key.Id ?? throw new ArgumentException("An API key needs an id.", "changes"));
            upsert.SetText(1, key.Hash ?? throw new ArgumentException("An API key needs a hash.", "changes"));
            upsert.SetInt64(2, Code(key.Kind));
            upsert.SetText(3, key.Description);
            upsert.SetInt64(4, Instant(key.CreatedAt));
            upsert.SetInt64(5, Instant(key.RevokedAt));
            upsert.Execute();
        }
    }

    public void ForgetMessageIdsBefore(DateTimeOffset before)
    {
        using var forget = Prepare(ForgetMessageIds, BeforeParameter);
        forget.SetInt64(0, Instant(before));
        forget.Execute();
    }

    private SqliteStatement Prepare(string sql, string[] parameterNames) => new(connection, sql, parameterNames, cancellationToken);
}
