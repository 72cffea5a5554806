namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The SQL of each statement kind a commit runs (<see cref="SqliteCommitStatements"/>), and the names of its
/// parameters in the order the statements bind them by position.
/// </summary>
internal static class SqliteCommitSql
{
    public const string UpsertProfile = """
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
    public const string ApplyMerge = """
        UPDATE events SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        UPDATE identifiers SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        DELETE FROM trait_values WHERE profile_id = @Absorbed AND trait IN (SELECT trait FROM trait_values WHERE profile_id = @Survivor);
        UPDATE trait_values SET profile_id = @Survivor WHERE profile_id = @Absorbed;
        DELETE FROM memberships WHERE profile_id = @Absorbed;
        UPDATE profiles SET merged_into = @Survivor WHERE id = @Absorbed OR merged_into = @Absorbed;
        INSERT INTO merges (survivor, absorbed, at, message_id) VALUES (@Survivor, @Absorbed, @At, @MessageId);
        """;

    public const string UpsertIdentifier = """
        INSERT INTO identifiers (kind, value, profile_id) VALUES (@Kind, @Value, @ProfileId)
        ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id
        """;

    public const string InsertEvent = """
        INSERT INTO events (sequence, message_id, profile_id, kind, name, timestamp, received_at, original_timestamp, properties, traits)
        VALUES (@Sequence, @MessageId, @ProfileId, @Kind, @Name, @Timestamp, @ReceivedAt, @OriginalTimestamp, @Properties, @Traits)
        """;

    public const string UpsertMessageId = """
        INSERT INTO message_ids (message_id, received_at) VALUES (@MessageId, @ReceivedAt)
        """;

    public const string UpsertMembership = """
        INSERT INTO memberships (profile_id, segment, in_segment, since, updated_at)
        VALUES (@ProfileId, @Segment, @InSegment, @Since, @UpdatedAt)
        ON CONFLICT (profile_id, segment) DO UPDATE SET
            in_segment = excluded.in_segment, since = excluded.since, updated_at = excluded.updated_at
        """;

    public const string UpsertTraitValue = """
        INSERT INTO trait_values (profile_id, trait, value, updated_at) VALUES (@ProfileId, @Trait, @Value, @UpdatedAt)
        ON CONFLICT (profile_id, trait) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    public const string InsertChange = """
        INSERT INTO changes (profile_id, user_id, segment, entered, at, cause)
        VALUES (@ProfileId, @UserId, @Segment, @Entered, @At, @Cause)
        RETURNING cursor
        """;

    // The profile and every profile absorbed into it, at any depth (one hop when chains were re-pointed).
    public const string SelectDoomedProfiles = """
        WITH RECURSIVE doomed (id) AS (
            SELECT @Id
            UNION
            SELECT profiles.id FROM profiles JOIN doomed ON profiles.merged_into = doomed.id
        )
        SELECT id FROM doomed
        """;

    public const string DeleteProfile = """
        DELETE FROM events WHERE profile_id = @Id;
        DELETE FROM identifiers WHERE profile_id = @Id;
        DELETE FROM memberships WHERE profile_id = @Id;
        DELETE FROM trait_values WHERE profile_id = @Id;
        DELETE FROM merges WHERE survivor = @Id OR absorbed = @Id;
        DELETE FROM profiles WHERE id = @Id;
        """;

    public const string UpsertDefinition = """
        INSERT INTO definitions (kind, key, body, version, created_at, updated_at)
        VALUES (@Kind, @Key, @Body, @Version, @CreatedAt, @UpdatedAt)
        ON CONFLICT (kind, key) DO UPDATE SET
            body = excluded.body, version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at
        """;

    public const string InsertDefinitionChange = """
        INSERT INTO definition_history (version, kind, key, actor, at, before, after)
        VALUES (@Version, @Kind, @Key, @Actor, @At, @Before, @After)
        """;

    public const string SelectSurvivorMergedInto = "SELECT merged_into FROM profiles WHERE id = @Survivor";

    public const string AdvanceLastSequence = "UPDATE event_sequence SET last = MAX(last, @Last) WHERE id = 1";

    public const string InsertSuppression =
        "INSERT INTO suppressions (kind, value) VALUES (@Kind, @Value) ON CONFLICT (kind, value) DO NOTHING";

    public const string DeleteDefinition = "DELETE FROM definitions WHERE kind = @Kind AND key = @Key";

    public const string SetCatalogVersion = "UPDATE catalog SET version = @Version WHERE id = 1";

    public const string UpsertApiKey =
        "INSERT INTO api_keys (id, hash, kind, description, created_at, revoked_at) VALUES (@Id, @Hash, @Kind, @Description, @CreatedAt, @RevokedAt) " +
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, description = excluded.description, " +
        "created_at = excluded.created_at, revoked_at = excluded.revoked_at";

    public const string ForgetMessageIds = "DELETE FROM message_ids WHERE received_at < @Before";

    public static readonly string[] ProfileParameters = ["@Id", "@CreatedAt", "@Properties", "@PropertyTimes", "@MergedInto", "@Version"];
    public static readonly string[] MergeParameters = ["@Survivor", "@Absorbed", "@At", "@MessageId"];
    public static readonly string[] IdentifierParameters = ["@Kind", "@Value", "@ProfileId"];
    public static readonly string[] EventParameters =
        ["@Sequence", "@MessageId", "@ProfileId", "@Kind", "@Name", "@Timestamp", "@ReceivedAt", "@OriginalTimestamp", "@Properties", "@Traits"];
    public static readonly string[] MessageIdParameters = ["@MessageId", "@ReceivedAt"];
    public static readonly string[] MembershipParameters = ["@ProfileId", "@Segment", "@InSegment", "@Since", "@UpdatedAt"];
    public static readonly string[] TraitValueParameters = ["@ProfileId", "@Trait", "@Value", "@UpdatedAt"];
    public static readonly string[] ChangeParameters = ["@ProfileId", "@UserId", "@Segment", "@Entered", "@At", "@Cause"];
    public static readonly string[] DefinitionParameters = ["@Kind", "@Key", "@Body", "@Version", "@CreatedAt", "@UpdatedAt"];
    public static readonly string[] DefinitionChangeParameters = ["@Version", "@Kind", "@Key", "@Actor", "@At", "@Before", "@After"];
    public static readonly string[] IdParameter = ["@Id"];
    public static readonly string[] SurvivorParameter = ["@Survivor"];
    public static readonly string[] LastParameter = ["@Last"];
    public static readonly string[] KindValueParameters = ["@Kind", "@Value"];
    public static readonly string[] KindKeyParameters = ["@Kind", "@Key"];
    public static readonly string[] VersionParameter = ["@Version"];
    public static readonly string[] ApiKeyParameters = ["@Id", "@Hash", "@Kind", "@Description", "@CreatedAt", "@RevokedAt"];
    public static readonly string[] BeforeParameter = ["@Before"];
}
