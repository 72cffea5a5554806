using Npgsql;
using TinyCdp.Definitions;
using TinyCdp.Identity;
using static TinyCdp.Storage.Postgres.PostgresBatchCommands;
using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's statements for each section of a transaction (<see cref="IStoreTransactionVisitor"/>):
/// commands appended to the commit's one <see cref="NpgsqlBatch"/>, one per kind of row, each taking its rows
/// as arrays (<c>INSERT ... SELECT FROM unnest(...)</c>).
/// </summary>
/// <remarks>
/// <para>
/// What needs the stored state is checked by commands of the batch itself, in their place in the order
/// (<c>refuse_commit</c> fails the batch): a merge whose survivor was absorbed (by then, earlier rows of the
/// transaction included), an event sequence already stored.
/// </para>
/// <para>
/// Rows that replace by key (profiles, identifiers, memberships, trait values, definitions, API keys) keep
/// only the last row for each key, which is what applying them one by one leaves; one
/// <c>INSERT ... ON CONFLICT DO UPDATE</c> may not touch a row twice. Rows that append (events, message ids,
/// changes, history) keep every row, so a repeated message id fails the commit, as it must.
/// </para>
/// </remarks>
/// <param name="batch">The commit's batch.</param>
/// <param name="sequences">The events' sequences, in list order.</param>
/// <param name="newPartitions">Months whose partitions may not exist yet: created before the events go in.</param>
internal sealed class PostgresCommitStatements(NpgsqlBatch batch, long[] sequences, IEnumerable<int> newPartitions) : IStoreTransactionVisitor
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

    // The kept counts of the change feed (StoredSegmentSizeChange): one row per segment and hour, and per
    // segment (Tally gives one row per key, as ON CONFLICT DO UPDATE needs).
    private const string AddSegmentSizeHistory = """
        INSERT INTO segment_size_history (segment, hour, entered, exited)
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[])
        ON CONFLICT (segment, hour) DO UPDATE SET
            entered = segment_size_history.entered + excluded.entered, exited = segment_size_history.exited + excluded.exited
        """;

    private const string AddSegmentSizes = """
        INSERT INTO segment_sizes (segment, members) SELECT * FROM unnest($1::text[], $2::bigint[])
        ON CONFLICT (segment) DO UPDATE SET members = segment_sizes.members + excluded.members
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

    private const string DeleteDefinitionRows = """
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

    private const string UpdateCatalogVersion = "UPDATE catalog SET version = $1 WHERE id = 1";

    private const string UpsertApiKeys = """
        INSERT INTO api_keys (id, hash, kind, description, created_at, revoked_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::timestamptz[], $6::timestamptz[])
        ON CONFLICT (id) DO UPDATE SET
            hash = excluded.hash, kind = excluded.kind, description = excluded.description,
            created_at = excluded.created_at, revoked_at = excluded.revoked_at
        """;

    private const string ForgetMessageIds = "DELETE FROM message_ids WHERE received_at < $1";

    private readonly HashSet<Guid> _touched = [];

    /// <summary>The profiles the transaction writes (created, changed, merged, absorbed or deleted), for the shared log.</summary>
    public Guid[] TouchedProfiles => _touched.ToArray();

    /// <summary>Whether the transaction changes the catalog (definitions, their history or the version), for the shared log.</summary>
    public bool CatalogChanged { get; private set; }

    /// <summary>Whether the transaction creates or changes API keys, for the shared log.</summary>
    public bool KeysChanged { get; private set; }

    public void ReplaceProfiles(IReadOnlyList<StoredProfile> profiles)
    {
        _touched.UnionWith(profiles.Select(profile => profile.Id));
        var rows = LastWins(profiles, profile => profile.Id);
        Add(batch, UpsertProfiles,
            Array(rows, profile => profile.Id),
            Array(rows, profile => Instant(profile.CreatedAt)),
            Texts(rows, profile => profile.PropertiesJson),
            Texts(rows, profile => profile.PropertyTimesJson),
            Array(rows, profile => profile.MergedInto),
            Array(rows, profile => profile.Version));
    }

    public void ApplyMerges(IReadOnlyList<StoredMerge> merges)
    {
        _touched.UnionWith(merges.SelectMany(merge => new[] { merge.Survivor, merge.Absorbed }));
        foreach (var merge in merges)
        {
            Add(batch, RefuseAbsorbedSurvivor, Value(merge.Survivor), Value(merge.Absorbed));
            foreach (var statement in MergeStatements)
            {
                Add(batch, statement, Value(merge.Survivor), Value(merge.Absorbed));
            }

            Add(batch, InsertMerge, Value(merge.Survivor), Value(merge.Absorbed), Value(Instant(merge.At)), Value(NullableText(merge.MessageId)));
        }
    }

    public void AttachIdentifiers(IReadOnlyList<(Identifier Identifier, Guid ProfileId)> identifiers)
    {
        _touched.UnionWith(identifiers.Select(entry => entry.ProfileId));
        var rows = LastWins(identifiers, entry => entry.Identifier);
        Add(batch, UpsertIdentifiers,
            Array(rows, entry => Code(entry.Identifier.Kind)),
            Texts(rows, entry => entry.Identifier.Value),
            Array(rows, entry => entry.ProfileId));
    }

    public void AppendEvents(IReadOnlyList<StoredEvent> events)
    {
        _touched.UnionWith(events.Select(storedEvent => storedEvent.ProfileId));
        Add(batch, RefuseStoredSequences, Value(sequences));
        foreach (var month in newPartitions)
        {
            Add(batch, EventPartitions.CreateStatement(month));
        }

        var rows = events;
        Add(batch, InsertEvents,
            Value(sequences),
            Texts(rows, storedEvent => storedEvent.MessageId),
            Array(rows, storedEvent => storedEvent.ProfileId),
            Array(rows, storedEvent => Code(storedEvent.Kind)),
            Texts(rows, storedEvent => storedEvent.Name),
            Array(rows, storedEvent => Instant(storedEvent.Timestamp)),
            Array(rows, storedEvent => Instant(storedEvent.ReceivedAt)),
            Array(rows, storedEvent => Instant(storedEvent.OriginalTimestamp)),
            Texts(rows, storedEvent => storedEvent.PropertiesJson),
            Texts(rows, storedEvent => storedEvent.TraitsJson));
        Add(batch, AdvanceLastSequence, Value(sequences.Max()));
    }

    public void RememberMessageIds(IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)> messageIds)
    {
        var rows = messageIds;
        Add(batch, InsertMessageIds, Texts(rows, entry => entry.MessageId), Array(rows, entry => Instant(entry.ReceivedAt)));
    }

    public void ReplaceMemberships(IReadOnlyList<StoredMembership> memberships)
    {
        _touched.UnionWith(memberships.Select(membership => membership.ProfileId));
        var rows = LastWins(memberships, membership => (membership.ProfileId, membership.Segment));
        Add(batch, UpsertMemberships,
            Array(rows, membership => membership.ProfileId),
            Texts(rows, membership => membership.Segment),
            Array(rows, membership => membership.InSegment),
            Array(rows, membership => Instant(membership.Since)),
            Array(rows, membership => Instant(membership.UpdatedAt)));
    }

    public void ReplaceTraitValues(IReadOnlyList<StoredTraitValue> traitValues)
    {
        _touched.UnionWith(traitValues.Select(value => value.ProfileId));
        var rows = LastWins(traitValues, value => (value.ProfileId, value.Trait));
        Add(batch, UpsertTraitValues,
            Array(rows, value => value.ProfileId),
            Texts(rows, value => value.Trait),
            Texts(rows, value => value.ValueJson),
            Array(rows, value => Instant(value.UpdatedAt)));
    }

    // The cursors come back as the rows of this command's result (column change_cursor).
    public void AppendChanges(IReadOnlyList<StoredChange> changes)
    {
        _touched.UnionWith(changes.Select(change => change.ProfileId));
        var rows = changes;
        Add(batch, InsertChanges,
            Array(rows, change => change.ProfileId),
            Texts(rows, change => change.UserId),
            Texts(rows, change => change.Segment),
            Array(rows, change => change.Entered),
            Array(rows, change => Instant(change.At)),
            Array(rows, change => Code(change.Cause)));

        var tally = StoredSegmentSizeChange.Tally(changes);
        Add(batch, AddSegmentSizeHistory,
            Texts(tally, hour => hour.Segment),
            Array(tally, hour => Instant(hour.Hour)),
            Array(tally, hour => hour.Entered),
            Array(tally, hour => hour.Exited));
        var sizes = tally.GroupBy(hour => hour.Segment, StringComparer.Ordinal)
            .Select(segment => (Segment: segment.Key, Delta: segment.Sum(hour => hour.Entered - hour.Exited)))
            .ToList();
        Add(batch, AddSegmentSizes, Texts(sizes, size => size.Segment), Array(sizes, size => size.Delta));
    }

    public void DeleteProfiles(IReadOnlyList<Guid> profileIds)
    {
        _touched.UnionWith(profileIds);
        var doomed = profileIds.Distinct().ToArray();
        foreach (var statement in DeleteStatements)
        {
            Add(batch, statement, Value(doomed));
        }
    }

    public void AddSuppressions(IReadOnlyList<Identifier> identifiers)
    {
        var rows = identifiers.Distinct().ToList();
        Add(batch, InsertSuppressions, Array(rows, identifier => Code(identifier.Kind)), Texts(rows, identifier => identifier.Value));
    }

    public void ReplaceDefinitions(IReadOnlyList<StoredDefinition> definitions)
    {
        CatalogChanged = true;
        var rows = LastWins(definitions, definition => (definition.Kind, definition.Key));
        Add(batch, UpsertDefinitions,
            Array(rows, definition => Code(definition.Kind)),
            Texts(rows, definition => definition.Key),
            Texts(rows, definition => definition.BodyJson),
            Array(rows, definition => definition.Version),
            Array(rows, definition => Instant(definition.CreatedAt)),
            Array(rows, definition => Instant(definition.UpdatedAt)));
    }

    public void DeleteDefinitions(IReadOnlyList<(DefinitionKind Kind, string Key)> definitions)
    {
        CatalogChanged = true;
        var rows = definitions;
        Add(batch, DeleteDefinitionRows, Array(rows, deleted => Code(deleted.Kind)), Texts(rows, deleted => deleted.Key));
    }

    public void AppendDefinitionChanges(IReadOnlyList<StoredDefinitionChange> changes)
    {
        CatalogChanged = true;
        var rows = changes;
        Add(batch, InsertDefinitionChanges,
            Array(rows, change => change.Version),
            Array(rows, change => Code(change.Kind)),
            Texts(rows, change => change.Key),
            Texts(rows, change => change.Actor),
            Array(rows, change => Instant(change.At)),
            Texts(rows, change => change.BeforeJson),
            Texts(rows, change => change.AfterJson));
    }

    public void SetCatalogVersion(long version)
    {
        CatalogChanged = true;
        Add(batch, UpdateCatalogVersion, Value(version));
    }

    public void ReplaceApiKeys(IReadOnlyList<StoredApiKey> apiKeys)
    {
        KeysChanged = true;
        var rows = LastWins(apiKeys, apiKey => apiKey.Id);
        Add(batch, UpsertApiKeys,
            Texts(rows, apiKey => apiKey.Id),
            Texts(rows, apiKey => apiKey.Hash),
            Array(rows, apiKey => Code(apiKey.Kind)),
            Texts(rows, apiKey => apiKey.Description),
            Array(rows, apiKey => Instant(apiKey.CreatedAt)),
            Array(rows, apiKey => Instant(apiKey.RevokedAt)));
    }

    public void ForgetMessageIdsBefore(DateTimeOffset before) => Add(batch, ForgetMessageIds, Value(Instant(before)));

    // The last row for each key, in list order; the rows themselves when no key repeats.
    private static IReadOnlyList<TRow> LastWins<TRow, TKey>(IReadOnlyList<TRow> rows, Func<TRow, TKey> key)
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
