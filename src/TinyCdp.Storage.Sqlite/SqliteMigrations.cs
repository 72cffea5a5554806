namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The schema, as an ordered list of scripts. <see cref="SqliteCdpStore.MigrateAsync"/> applies each
/// script whose version is not yet in <c>schema_version</c>, in its own transaction. Never edit a
/// released script: append a new one.
/// </summary>
/// <remarks>
/// Encodings (persisted, never to be renumbered): ids are 16-byte big-endian GUID blobs, which sort
/// like <see cref="Guid.CompareTo(Guid)"/> and the canonical text form; instants are INTEGER Unix
/// milliseconds (UTC); booleans are 0/1; enums are the small integers of <see cref="SqliteCodes"/>;
/// property bags and values are JSON text.
/// </remarks>
internal static class SqliteMigrations
{
    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at INTEGER NOT NULL
        );
        """;

    public static IReadOnlyList<(int Version, string Script)> All { get; } =
    [
        (1, """
            CREATE TABLE profiles (
                id             BLOB PRIMARY KEY,
                created_at     INTEGER NOT NULL,
                properties     TEXT NOT NULL,
                property_times TEXT NOT NULL,
                merged_into    BLOB NULL,
                version        INTEGER NOT NULL
            );
            CREATE INDEX profiles_live ON profiles (id) WHERE merged_into IS NULL;
            CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;

            CREATE TABLE identifiers (
                kind       INTEGER NOT NULL,
                value      TEXT NOT NULL,
                profile_id BLOB NOT NULL,
                PRIMARY KEY (kind, value)
            ) WITHOUT ROWID;
            CREATE INDEX identifiers_profile ON identifiers (profile_id);

            CREATE TABLE events (
                sequence           INTEGER PRIMARY KEY,
                message_id         TEXT NOT NULL,
                profile_id         BLOB NOT NULL,
                kind               INTEGER NOT NULL,
                name               TEXT NOT NULL,
                timestamp          INTEGER NOT NULL,
                received_at        INTEGER NOT NULL,
                original_timestamp INTEGER NULL,
                properties         TEXT NOT NULL,
                traits             TEXT NULL
            );
            CREATE INDEX events_profile ON events (profile_id, sequence);
            CREATE INDEX events_message_id ON events (message_id);

            -- The dedupe window. Events keep their message id for ever; this table forgets.
            CREATE TABLE message_ids (
                message_id  TEXT PRIMARY KEY,
                received_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX message_ids_received_at ON message_ids (received_at);

            CREATE TABLE merges (
                id         INTEGER PRIMARY KEY,
                survivor   BLOB NOT NULL,
                absorbed   BLOB NOT NULL,
                at         INTEGER NOT NULL,
                message_id TEXT NOT NULL
            );
            CREATE INDEX merges_survivor ON merges (survivor, at, id);
            CREATE INDEX merges_absorbed ON merges (absorbed);

            CREATE TABLE memberships (
                profile_id BLOB NOT NULL,
                segment    TEXT NOT NULL,
                in_segment INTEGER NOT NULL,
                since      INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (profile_id, segment)
            ) WITHOUT ROWID;
            CREATE INDEX memberships_segment ON memberships (segment, in_segment, profile_id);

            CREATE TABLE trait_values (
                profile_id BLOB NOT NULL,
                trait      TEXT NOT NULL,
                value      TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (profile_id, trait)
            ) WITHOUT ROWID;

            -- AUTOINCREMENT: a cursor is never reused, even if the newest rows were ever removed.
            CREATE TABLE changes (
                cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
                profile_id BLOB NOT NULL,
                user_id    TEXT NULL,
                segment    TEXT NOT NULL,
                entered    INTEGER NOT NULL,
                at         INTEGER NOT NULL,
                cause      INTEGER NOT NULL
            );

            CREATE TABLE suppressions (
                kind  INTEGER NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (kind, value)
            ) WITHOUT ROWID;

            CREATE TABLE definitions (
                kind       INTEGER NOT NULL,
                key        TEXT NOT NULL,
                body       TEXT NOT NULL,
                version    INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (kind, key)
            );

            CREATE TABLE definition_history (
                id      INTEGER PRIMARY KEY AUTOINCREMENT,
                version INTEGER NOT NULL,
                kind    INTEGER NOT NULL,
                key     TEXT NOT NULL,
                actor   TEXT NULL,
                at      INTEGER NOT NULL,
                before  TEXT NULL,
                after   TEXT NULL
            );
            CREATE INDEX definition_history_version ON definition_history (version, id);
            CREATE INDEX definition_history_key ON definition_history (key, kind, version, id);

            CREATE TABLE catalog (
                id      INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            INSERT INTO catalog (id, version) VALUES (1, 0);

            -- The highest event sequence ever committed; deleting events never lowers it.
            CREATE TABLE event_sequence (
                id   INTEGER PRIMARY KEY CHECK (id = 1),
                last INTEGER NOT NULL
            );
            INSERT INTO event_sequence (id, last) VALUES (1, 0);
            """),
        (2, """
            CREATE TABLE api_keys (
                id          TEXT PRIMARY KEY,
                hash        TEXT NOT NULL UNIQUE,
                kind        INTEGER NOT NULL,
                description TEXT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER NULL
            );
            """),
        (3, """
            -- Kept counts of the change feed, so a segment's size and history need no scan: members per
            -- segment (entries minus exits) and entries and exits per segment and UTC hour. Filled from
            -- the feed already stored, then kept by every commit that appends changes.
            CREATE TABLE segment_sizes (
                segment TEXT PRIMARY KEY,
                members INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE segment_size_history (
                segment TEXT NOT NULL,
                hour    INTEGER NOT NULL,
                entered INTEGER NOT NULL,
                exited  INTEGER NOT NULL,
                PRIMARY KEY (segment, hour)
            ) WITHOUT ROWID;
            INSERT INTO segment_sizes (segment, members)
                SELECT segment, SUM(CASE WHEN entered THEN 1 ELSE -1 END) FROM changes GROUP BY segment;
            INSERT INTO segment_size_history (segment, hour, entered, exited)
                SELECT segment, (at / 3600000) * 3600000, SUM(entered), SUM(1 - entered) FROM changes GROUP BY segment, at / 3600000;
            """),
        (4, """
            -- Samples of live profiles (previews): the last four bytes of an id are random in the ids the engine
            -- creates, so the live ids that follow a random pivot in this order are a uniform sample.
            CREATE INDEX profiles_sample ON profiles (substr(id, 13, 4)) WHERE merged_into IS NULL;
            """),
    ];
}
