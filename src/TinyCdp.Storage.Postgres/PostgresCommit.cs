using Npgsql;
using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// One <see cref="StoreTransaction"/>, checked and turned into the statements that apply it: one
/// statement per kind of row, each taking its rows as arrays (<c>INSERT ... SELECT FROM unnest(...)</c>),
/// all sent in one <see cref="NpgsqlBatch"/>, in the order of the members of <see cref="StoreTransaction"/>.
/// </summary>
/// <remarks>
/// <para>
/// Everything that can be checked without the database is checked in the constructor, before anything
/// is sent: nulls where a record needs a value, undefined enum values, a merge of a profile into itself,
/// a sequence repeated within the transaction. What needs the stored state is checked by statements of
/// the batch itself, in their place in the order (<c>refuse_commit</c> fails the batch): a merge whose
/// survivor was absorbed (by then, earlier rows of the transaction included), an event sequence already
/// stored. A plain commit is therefore one round trip: a batch runs in one implicit transaction, which
/// any failing statement rolls back whole.
/// </para>
/// <para>
/// Rows that replace by key (profiles, identifiers, memberships, trait values, definitions, API keys)
/// keep only the last row for each key, which is what applying them one by one leaves; one
/// <c>INSERT ... ON CONFLICT DO UPDATE</c> may not touch a row twice. Rows that append (events, message
/// ids, changes, history) keep every row, so a repeated message id fails the commit, as it must.
/// </para>
/// </remarks>
internal sealed class PostgresCommit
{
    private const string UpsertProfiles = """
        INSERT INTO profiles (id, created_at, properties, property_times, merged_into, version)
        SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::uuid[], $6::bigint[])
        ON CONFLICT (id) DO UPDATE SET
            created_at = excluded.created_at, properties = excluded.properties, property_times = excluded.property_times,
            merged_into = excluded.merged_into, version = excluded.version
        """;

    // The absorbed profile's rows move to the survivor ($1 survivor, $2 absorbed). On a trait clash the
    // survivor's value stays (the engine recomputes the survivor's traits anyway); the absorbed
    // memberships go (the engine writes the survivor's). Profiles absorbed earlier by the absorbed one now
    // point at the survivor, so an absorbed id always resolves in one hop.
    private static readonly string[] MergeStatements =
    [
        "UPDATE events SET profile_id = $1 WHERE profile_id = $2",
        "UPDATE identifiers SET profile_id = $1 WHERE profile_id = $2",
        "DELETE FROM trait_values WHERE profile_id = $2 AND trait IN (SELECT trait FROM trait_values WHERE profile_id = $1)",
        "UPDATE trait_values SET profile_id = $1 WHERE profile_id = $2",
        "DELETE FROM memberships WHERE profile_id = $2",
        "UPDATE profiles SET merged_into = $1 WHERE id = $2 OR merged_into = $2",
    ];

    private const string RefuseAbsorbedSurvivor = """
        SELECT refuse_commit(format('Profile %s was absorbed by %s and cannot absorb %s.', id, merged_into, $2::uuid))
        FROM profiles WHERE id = $1 AND merged_into IS NOT NULL
        """;

    private const string InsertMerge = "INSERT INTO merges (survivor, absorbed, at, message_id) VALUES ($1, $2, $3, $4)";

    private const string UpsertIdentifiers = """
        INSERT INTO identifiers (kind, value, profile_id)
        SELECT * FROM unnest($1::smallint[], $2::text[], $3::uuid[])
        ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id
        """;

    // Only sequences not above the highest ever stored can be taken, and the engine's sequences only grow:
    // the array is almost always empty and no partition is searched.
    private const string RefuseStoredSequences = """
        SELECT refuse_commit(format('An event with sequence %s is already stored.', sequence)) FROM events
        WHERE sequence = ANY(ARRAY(SELECT s FROM unnest($1::bigint[]) AS s WHERE s <= (SELECT last FROM event_sequence WHERE id = 1)))
        LIMIT 1
        """;

    private const string InsertEvents = """
        INSERT INTO events (sequence, message_id, profile_id, kind, name, event_time, received_at, original_timestamp, properties, traits)
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::smallint[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                             $8::timestamptz[], $9::text[], $10::text[])
        """;

    private const string AdvanceLastSequence = "UPDATE event_sequence SET last = GREATEST(last, $1) WHERE id = 1";

    private const string InsertMessageIds = """
        INSERT INTO message_ids (message_id, received_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
        """;

    private const string UpsertMemberships = """
        INSERT INTO memberships (profile_id, segment, in_segment, since, updated_at)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::timestamptz[], $5::timestamptz[])
        ON CONFLICT (profile_id, segment) DO UPDATE SET
            in_segment = excluded.in_segment, since = excluded.since, updated_at = excluded.updated_at
        """;

    private const string UpsertTraitValues = """
        INSERT INTO trait_values (profile_id, trait, value, updated_at)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
        ON CONFLICT (profile_id, trait) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    // Rows are inserted in list order, so the identity hands out increasing cursors in list order.
    private const string InsertChanges = """
        INSERT INTO changes (profile_id, user_id, segment, entered, at, cause)
        SELECT profile_id, user_id, segment, entered, at, cause
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[], $6::smallint[]) WITH ORDINALITY
            AS c (profile_id, user_id, segment, entered, at, cause, position)
        ORDER BY position
        RETURNING cursor AS change_cursor
        """;

    // The profiles deleted ($1) and every profile absorbed into them, at any depth (one hop when chains
    // were re-pointed), computed anew by each statement: the profiles go last, so each sees the same set.
    private const string Doomed = """
        ARRAY(WITH RECURSIVE doomed (id) AS (
            SELECT unnest($1::uuid[])
            UNION
            SELECT profiles.id FROM profiles JOIN doomed ON profiles.merged_into = doomed.id
        ) SELECT id FROM doomed)
        """;

    private static readonly string[] DeleteStatements =
    [
        $"DELETE FROM events WHERE profile_id = ANY({Doomed})",
        $"DELETE FROM identifiers WHERE profile_id = ANY({Doomed})",
        $"DELETE FROM memberships WHERE profile_id = ANY({Doomed})",
        $"DELETE FROM trait_values WHERE profile_id = ANY({Doomed})",
        $"DELETE FROM merges WHERE survivor = ANY({Doomed}) OR absorbed = ANY({Doomed})",
        $"DELETE FROM profiles WHERE id = ANY({Doomed})",
    ];

    private const string InsertSuppressions = """
        INSERT INTO suppressions (kind, value) SELECT * FROM unnest($1::smallint[], $2::text[]) ON CONFLICT (kind, value) DO NOTHING
        """;

    private const string UpsertDefinitions = """
        INSERT INTO definitions (kind, key, body, version, created_at, updated_at)
        SELECT * FROM unnest($1::smallint[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
        ON CONFLICT (kind, key) DO UPDATE SET
            body = excluded.body, version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at
        """;

    private const string DeleteDefinitions = """
        DELETE FROM definitions USING unnest($1::smallint[], $2::text[]) AS doomed (kind, key)
        WHERE definitions.kind = doomed.kind AND definitions.key = doomed.key
        """;

    private const string InsertDefinitionChanges = """
        INSERT INTO definition_history (version, kind, key, actor, at, before, after)
        SELECT version, kind, key, actor, at, before, after
        FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[]) WITH ORDINALITY
            AS h (version, kind, key, actor, at, before, after, position)
        ORDER BY position
        """;

    private const string SetCatalogVersion = "UPDATE catalog SET version = $1 WHERE id = 1";

    private const string UpsertApiKeys = """
        INSERT INTO api_keys (id, hash, kind, description, created_at, revoked_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::timestamptz[], $6::timestamptz[])
        ON CONFLICT (id) DO UPDATE SET
            hash = excluded.hash, kind = excluded.kind, description = excluded.description,
            created_at = excluded.created_at, revoked_at = excluded.revoked_at
        """;

    private const string ForgetMessageIds = "DELETE FROM message_ids WHERE received_at < $1";

    // The shared log entry: the next version (gap-free: every commit holds the write lock), what was
    // touched, and the last sequence after this commit; then the notification, delivered at COMMIT.
    // $1 node, $2 profiles, $3 catalog, $4 keys, $5 channel.
    private const string AppendLog = """
        WITH logged AS (
            INSERT INTO cluster_log (version, node, profiles, catalog, keys, last_sequence, at)
            SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4, (SELECT last FROM event_sequence WHERE id = 1), now()
            FROM cluster_log
            RETURNING version)
        SELECT version AS log_version, pg_notify($5, version::text || ':' || $1::text) IS NULL AS notified FROM logged
        """;

    // Never the newest row: the next version is computed from it. $1 the age (interval).
    public const string PruneLog = """
        DELETE FROM cluster_log WHERE at < now() - $1::interval AND version < (SELECT MAX(version) FROM cluster_log)
        """;

    private readonly StoreTransaction _transaction;
    private readonly HashSet<Guid> _touched = [];
    private readonly long[] _sequences;

    public PostgresCommit(StoreTransaction transaction)
    {
        _transaction = transaction;
        transaction.Validate();
        _sequences = [.. transaction.Events.Select(storedEvent => storedEvent.Sequence)];
        Months = [.. transaction.Events
            .Select(storedEvent => EventPartitions.Month(Instant(storedEvent.ReceivedAt)))
            .OfType<int>()
            .Distinct()];

        _touched.UnionWith(transaction.Profiles.Select(profile => profile.Id));
        _touched.UnionWith(transaction.Merges.SelectMany(merge => new[] { merge.Survivor, merge.Absorbed }));
        _touched.UnionWith(transaction.Identifiers.Select(entry => entry.ProfileId));
        _touched.UnionWith(transaction.Events.Select(storedEvent => storedEvent.ProfileId));
        _touched.UnionWith(transaction.Memberships.Select(membership => membership.ProfileId));
        _touched.UnionWith(transaction.TraitValues.Select(value => value.ProfileId));
        _touched.UnionWith(transaction.Changes.Select(change => change.ProfileId));
        _touched.UnionWith(transaction.DeletedProfiles);
    }

    /// <summary>The months the events fall in that have partitions of their own.</summary>
    public int[] Months { get; }

    /// <summary>Adds the statements that apply the transaction, then the log entry, to <paramref name="batch"/>.</summary>
    /// <param name="batch">The batch: on its own, or inside the transaction of a write turn.</param>
    /// <param name="lockKey">When set, the batch first takes this transaction-level advisory lock (the write turn).</param>
    /// <param name="newPartitions">Months whose partitions may not exist yet: created before the events go in.</param>
    /// <param name="node">The committing store's node id.</param>
    /// <param name="channel">The notification channel.</param>
    /// <param name="pruneOlderThan">When set, log rows older than this are deleted (never the newest).</param>
    public void AddTo(NpgsqlBatch batch, long? lockKey, IEnumerable<int> newPartitions, Guid node, string channel, TimeSpan? pruneOlderThan)
    {
        var t = _transaction;
        void Add(string sql, params NpgsqlParameter[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddRange(parameters);
            batch.BatchCommands.Add(command);
        }

        if (lockKey is { } key)
        {
            Add("SELECT pg_advisory_xact_lock($1)", Value(key));
        }

        if (t.Profiles.Count > 0)
        {
            var rows = LastWins(t.Profiles, profile => profile.Id);
            Add(UpsertProfiles,
                Array(rows, profile => profile.Id),
                Array(rows, profile => Instant(profile.CreatedAt)),
                Texts(rows, profile => profile.PropertiesJson),
                Texts(rows, profile => profile.PropertyTimesJson),
                Array(rows, profile => profile.MergedInto),
                Array(rows, profile => profile.Version));
        }

        foreach (var merge in t.Merges)
        {
            Add(RefuseAbsorbedSurvivor, Value(merge.Survivor), Value(merge.Absorbed));
            foreach (var statement in MergeStatements)
            {
                Add(statement, Value(merge.Survivor), Value(merge.Absorbed));
            }

            Add(InsertMerge, Value(merge.Survivor), Value(merge.Absorbed), Value(Instant(merge.At)), Value(NullableText(merge.MessageId)));
        }

        if (t.Identifiers.Count > 0)
        {
            var rows = LastWins(t.Identifiers, entry => entry.Identifier);
            Add(UpsertIdentifiers,
                Array(rows, entry => Code(entry.Identifier.Kind)),
                Texts(rows, entry => entry.Identifier.Value),
                Array(rows, entry => entry.ProfileId));
        }

        if (t.Events.Count > 0)
        {
            Add(RefuseStoredSequences, Value(_sequences));
            foreach (var month in newPartitions)
            {
                Add(EventPartitions.CreateStatement(month));
            }

            var rows = t.Events;
            Add(InsertEvents,
                Value(_sequences),
                Texts(rows, storedEvent => storedEvent.MessageId),
                Array(rows, storedEvent => storedEvent.ProfileId),
                Array(rows, storedEvent => Code(storedEvent.Kind)),
                Texts(rows, storedEvent => storedEvent.Name),
                Array(rows, storedEvent => Instant(storedEvent.Timestamp)),
                Array(rows, storedEvent => Instant(storedEvent.ReceivedAt)),
                Array(rows, storedEvent => Instant(storedEvent.OriginalTimestamp)),
                Texts(rows, storedEvent => storedEvent.PropertiesJson),
                Texts(rows, storedEvent => storedEvent.TraitsJson));
            Add(AdvanceLastSequence, Value(_sequences.Max()));
        }

        if (t.MessageIds.Count > 0)
        {
            var rows = t.MessageIds;
            Add(InsertMessageIds, Texts(rows, entry => entry.MessageId), Array(rows, entry => Instant(entry.ReceivedAt)));
        }

        if (t.Memberships.Count > 0)
        {
            var rows = LastWins(t.Memberships, membership => (membership.ProfileId, membership.Segment));
            Add(UpsertMemberships,
                Array(rows, membership => membership.ProfileId),
                Texts(rows, membership => membership.Segment),
                Array(rows, membership => membership.InSegment),
                Array(rows, membership => Instant(membership.Since)),
                Array(rows, membership => Instant(membership.UpdatedAt)));
        }

        if (t.TraitValues.Count > 0)
        {
            var rows = LastWins(t.TraitValues, value => (value.ProfileId, value.Trait));
            Add(UpsertTraitValues,
                Array(rows, value => value.ProfileId),
                Texts(rows, value => value.Trait),
                Texts(rows, value => value.ValueJson),
                Array(rows, value => Instant(value.UpdatedAt)));
        }

        if (t.Changes.Count > 0)
        {
            var rows = t.Changes;
            Add(InsertChanges,
                Array(rows, change => change.ProfileId),
                Texts(rows, change => change.UserId),
                Texts(rows, change => change.Segment),
                Array(rows, change => change.Entered),
                Array(rows, change => Instant(change.At)),
                Array(rows, change => Code(change.Cause)));
        }

        if (t.DeletedProfiles.Count > 0)
        {
            var doomed = t.DeletedProfiles.Distinct().ToArray();
            foreach (var statement in DeleteStatements)
            {
                Add(statement, Value(doomed));
            }
        }

        if (t.Suppressions.Count > 0)
        {
            var rows = t.Suppressions.Distinct().ToList();
            Add(InsertSuppressions, Array(rows, identifier => Code(identifier.Kind)), Texts(rows, identifier => identifier.Value));
        }

        if (t.Definitions.Count > 0)
        {
            var rows = LastWins(t.Definitions, definition => (definition.Kind, definition.Key));
            Add(UpsertDefinitions,
                Array(rows, definition => Code(definition.Kind)),
                Texts(rows, definition => definition.Key),
                Texts(rows, definition => definition.BodyJson),
                Array(rows, definition => definition.Version),
                Array(rows, definition => Instant(definition.CreatedAt)),
                Array(rows, definition => Instant(definition.UpdatedAt)));
        }

        if (t.DeletedDefinitions.Count > 0)
        {
            var rows = t.DeletedDefinitions;
            Add(DeleteDefinitions, Array(rows, deleted => Code(deleted.Kind)), Texts(rows, deleted => deleted.Key));
        }

        if (t.DefinitionChanges.Count > 0)
        {
            var rows = t.DefinitionChanges;
            Add(InsertDefinitionChanges,
                Array(rows, change => change.Version),
                Array(rows, change => Code(change.Kind)),
                Texts(rows, change => change.Key),
                Texts(rows, change => change.Actor),
                Array(rows, change => Instant(change.At)),
                Texts(rows, change => change.BeforeJson),
                Texts(rows, change => change.AfterJson));
        }

        if (t.CatalogVersion is { } version)
        {
            Add(SetCatalogVersion, Value(version));
        }

        if (t.ApiKeys.Count > 0)
        {
            var rows = LastWins(t.ApiKeys, apiKey => apiKey.Id);
            Add(UpsertApiKeys,
                Texts(rows, apiKey => apiKey.Id),
                Texts(rows, apiKey => apiKey.Hash),
                Array(rows, apiKey => Code(apiKey.Kind)),
                Texts(rows, apiKey => apiKey.Description),
                Array(rows, apiKey => Instant(apiKey.CreatedAt)),
                Array(rows, apiKey => Instant(apiKey.RevokedAt)));
        }

        if (t.ForgetMessageIdsBefore is { } before)
        {
            Add(ForgetMessageIds, Value(Instant(before)));
        }

        var catalogChanged = t.CatalogVersion is not null || t.Definitions.Count > 0 || t.DeletedDefinitions.Count > 0 || t.DefinitionChanges.Count > 0;
        Add(AppendLog, Value(node), Value(_touched.ToArray()), Value(catalogChanged), Value(t.ApiKeys.Count > 0), Value(channel));
        if (pruneOlderThan is { } age)
        {
            Add(PruneLog, Value(age));
        }
    }

    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter<TValue[]> Array<TRow, TValue>(IReadOnlyList<TRow> rows, Func<TRow, TValue> select)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = select(rows[i]);
        }

        return Value(values);
    }

    private static NpgsqlParameter<string?[]> Texts<TRow>(IReadOnlyList<TRow> rows, Func<TRow, string?> select) =>
        Array(rows, row => NullableText(select(row)));

    private static List<TRow> LastWins<TRow, TKey>(List<TRow> rows, Func<TRow, TKey> key)
        where TKey : notnull
    {
        var last = new Dictionary<TKey, int>();
        for (var i = 0; i < rows.Count; i++)
        {
            last[key(rows[i])] = i;
        }

        return last.Count == rows.Count ? rows : [.. last.Values.Order().Select(i => rows[i])];
    }
}
