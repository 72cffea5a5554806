namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The schema, as an ordered list of scripts. <see cref="PostgresCdpStore.MigrateAsync"/> applies
/// every script whose version is not yet in <c>schema_version</c>, all in one transaction that holds
/// an advisory lock, so processes that start together migrate once. Never edit a released script:
/// append a new one.
/// </summary>
/// <remarks>
/// <para>
/// The logical tables are the SQLite store's. Encodings (persisted, never to be renumbered): ids are
/// <c>uuid</c>, whose order is <see cref="Guid.CompareTo(Guid)"/> order (the canonical text order);
/// instants are <c>timestamptz</c> truncated to the millisecond; enums are the <c>smallint</c> codes of
/// <see cref="PostgresCodes"/>; property bags and values are JSON kept as <c>text</c> (byte for byte,
/// unlike <c>jsonb</c>); keys compared by the contract as ordinal strings use the <c>"C"</c> collation.
/// </para>
/// <para>
/// <c>events</c> is partitioned by month of <c>received_at</c> (the time the engine accepted the
/// message: it only moves forward, so new partitions appear at the head and old months can be detached
/// or dropped whole). <see cref="EventPartitions"/> creates a month's partition inside the commit that
/// first needs it; <c>events_default</c> takes whatever falls outside the months it creates, so an
/// insert never fails for want of a partition. Sequences are unique across partitions: the primary key
/// can only include the partition key, so the commit checks the rest (see <see cref="PostgresCdpStore.CommitAsync"/>).
/// </para>
/// <para>
/// <c>cluster_log</c> is the shared change log of <see cref="ISharedCdpStore"/>: one row per commit,
/// numbered without gaps in commit order.
/// </para>
/// </remarks>
internal static class PostgresMigrations
{
    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    public static IReadOnlyList<(int Version, string Script)> All { get; } =
    [
        (1, """
            CREATE TABLE profiles (
                id             uuid PRIMARY KEY,
                created_at     timestamptz NOT NULL,
                properties     text NOT NULL,
                property_times text NOT NULL,
                merged_into    uuid NULL,
                version        bigint NOT NULL
            );
            CREATE INDEX profiles_live ON profiles (id) WHERE merged_into IS NULL;
            CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;

            CREATE TABLE identifiers (
                kind       smallint NOT NULL,
                value      text COLLATE "C" NOT NULL,
                profile_id uuid NOT NULL,
                PRIMARY KEY (kind, value)
            );
            CREATE INDEX identifiers_profile ON identifiers (profile_id);

            CREATE TABLE events (
                sequence           bigint NOT NULL,
                message_id         text NOT NULL,
                profile_id         uuid NOT NULL,
                kind               smallint NOT NULL,
                name               text NOT NULL,
                event_time         timestamptz NOT NULL,
                received_at        timestamptz NOT NULL,
                original_timestamp timestamptz NULL,
                properties         text NOT NULL,
                traits             text NULL,
                PRIMARY KEY (sequence, received_at)
            ) PARTITION BY RANGE (received_at);
            CREATE INDEX events_profile ON events (profile_id, sequence);
            CREATE TABLE events_default PARTITION OF events DEFAULT;

            -- The dedupe window. Events keep their message id for ever; this table forgets.
            CREATE TABLE message_ids (
                message_id  text COLLATE "C" PRIMARY KEY,
                received_at timestamptz NOT NULL
            );
            CREATE INDEX message_ids_received_at ON message_ids (received_at);

            CREATE TABLE merges (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                survivor   uuid NOT NULL,
                absorbed   uuid NOT NULL,
                at         timestamptz NOT NULL,
                message_id text NOT NULL
            );
            CREATE INDEX merges_survivor ON merges (survivor, at, id);
            CREATE INDEX merges_absorbed ON merges (absorbed);

            CREATE TABLE memberships (
                profile_id uuid NOT NULL,
                segment    text COLLATE "C" NOT NULL,
                in_segment boolean NOT NULL,
                since      timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (profile_id, segment)
            );
            CREATE INDEX memberships_segment ON memberships (segment, profile_id) WHERE in_segment;

            CREATE TABLE trait_values (
                profile_id uuid NOT NULL,
                trait      text COLLATE "C" NOT NULL,
                value      text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (profile_id, trait)
            );

            -- An identity never hands out a cursor twice (a rollback leaves a gap, which the contract allows).
            CREATE TABLE changes (
                cursor     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                profile_id uuid NOT NULL,
                user_id    text NULL,
                segment    text NOT NULL,
                entered    boolean NOT NULL,
                at         timestamptz NOT NULL,
                cause      smallint NOT NULL
            );

            CREATE TABLE suppressions (
                kind  smallint NOT NULL,
                value text COLLATE "C" NOT NULL,
                PRIMARY KEY (kind, value)
            );

            CREATE TABLE definitions (
                kind       smallint NOT NULL,
                key        text COLLATE "C" NOT NULL,
                body       text NOT NULL,
                version    bigint NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (kind, key)
            );

            CREATE TABLE definition_history (
                id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version bigint NOT NULL,
                kind    smallint NOT NULL,
                key     text COLLATE "C" NOT NULL,
                actor   text NULL,
                at      timestamptz NOT NULL,
                before  text NULL,
                after   text NULL
            );
            CREATE INDEX definition_history_version ON definition_history (version, id);
            CREATE INDEX definition_history_key ON definition_history (key, kind, version, id);

            CREATE TABLE catalog (
                id      smallint PRIMARY KEY CHECK (id = 1),
                version bigint NOT NULL
            );
            INSERT INTO catalog (id, version) VALUES (1, 0);

            -- The highest event sequence ever committed; deleting events never lowers it.
            CREATE TABLE event_sequence (
                id   smallint PRIMARY KEY CHECK (id = 1),
                last bigint NOT NULL
            );
            INSERT INTO event_sequence (id, last) VALUES (1, 0);

            CREATE TABLE api_keys (
                id          text COLLATE "C" PRIMARY KEY,
                hash        text COLLATE "C" NOT NULL UNIQUE,
                kind        smallint NOT NULL,
                description text NULL,
                created_at  timestamptz NOT NULL,
                revoked_at  timestamptz NULL
            );

            -- One row per commit, from every process: what it wrote, for the others' caches.
            CREATE TABLE cluster_log (
                version       bigint PRIMARY KEY,
                node          uuid NOT NULL,
                profiles      uuid[] NOT NULL,
                catalog       boolean NOT NULL,
                keys          boolean NOT NULL,
                last_sequence bigint NOT NULL,
                at            timestamptz NOT NULL
            );
            CREATE INDEX cluster_log_at ON cluster_log (at);
            """),
        (2, """
            -- Fails the statement, and so the commit, with the message given: the checks a commit makes
            -- against the stored state run as statements of the commit's own batch.
            CREATE FUNCTION refuse_commit(message text) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'integrity_constraint_violation';
            END
            $$;
            """),
        (3, """
            -- Kept counts of the change feed, so a segment's size and history need no scan: members per
            -- segment (entries minus exits) and entries and exits per segment and UTC hour. Filled from
            -- the feed already stored, then kept by every commit that appends changes.
            CREATE TABLE segment_sizes (
                segment text PRIMARY KEY,
                members bigint NOT NULL
            );
            CREATE TABLE segment_size_history (
                segment text NOT NULL,
                hour    timestamptz NOT NULL,
                entered bigint NOT NULL,
                exited  bigint NOT NULL,
                PRIMARY KEY (segment, hour)
            );
            INSERT INTO segment_sizes (segment, members)
                SELECT segment, SUM(CASE WHEN entered THEN 1 ELSE -1 END) FROM changes GROUP BY segment;
            INSERT INTO segment_size_history (segment, hour, entered, exited)
                SELECT segment, date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                       COUNT(*) FILTER (WHERE entered), COUNT(*) FILTER (WHERE NOT entered)
                FROM changes GROUP BY 1, 2;
            """),
        (4, """
            -- Samples of live profiles (previews): the last four bytes of an id are random in the ids the engine
            -- creates, so the live ids that follow a random pivot in this order are a uniform sample.
            CREATE INDEX profiles_sample ON profiles (substring(uuid_send(id) from 13 for 4)) WHERE merged_into IS NULL;
            """),
    ];
}
