using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>Reads: resolve a person, get a current snapshot, evaluate.</summary>
internal sealed partial class CdpEngine
{
    public async ValueTask<Decision?> DecideAsync(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        if (catalog.FindFlag(flag) is not { } compiled)
        {
            return null;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var snapshot = await GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false);
        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var decision = FlagEvaluator.Decide(compiled, evaluation, CallerOf(user), withReasons: true);
        TinyCdpMetrics.Decisions.Add(1);
        TinyCdpMetrics.DecideDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        return decision;
    }

    public async ValueTask<IReadOnlyDictionary<string, Decision>> DecideAllAsync(ProfileReference user, IReadOnlyCollection<string>? flags = null,
        IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var snapshot = await GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false);
        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var decisions = new Dictionary<string, Decision>(StringComparer.Ordinal);
        foreach (var compiled in flags is null ? catalog.Flags : flags.Select(catalog.FindFlag).OfType<CompiledFlag>())
        {
            decisions[compiled.Key] = FlagEvaluator.Decide(compiled, evaluation, CallerOf(user), withReasons: true);
        }

        TinyCdpMetrics.Decisions.Add(decisions.Count);

        return decisions;
    }

    public async ValueTask<Value> EvaluateTraitAsync(string trait, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        if (catalog.FindTrait(trait) is not { } compiled)
        {
            return Value.Null;
        }

        var (snapshot, at) = await SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        return ProfileEvaluationContext.Rent(snapshot, at).GetTrait(compiled.Slot);
    }

    public async ValueTask<bool> IsInSegmentAsync(string segment, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        if (catalog.FindSegment(segment) is not { } compiled)
        {
            return false;
        }

        var (snapshot, at) = await SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        return ProfileEvaluationContext.Rent(snapshot, at).GetSegment(compiled.Slot);
    }

    public async Task<Explanation?> ExplainAsync(DefinitionReferenceKind kind, string key, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        var (snapshot, at) = await SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        var context = ProfileEvaluationContext.Create(snapshot, at);
        switch (kind)
        {
            case DefinitionReferenceKind.Trait when catalog.FindTrait(key) is { } trait:
                return trait.Expression.Explain(context);
            case DefinitionReferenceKind.Segment when catalog.FindSegment(key) is { } segment:
                return segment.Rule.Explain(context);
            case DefinitionReferenceKind.Flag when catalog.FindFlag(key) is { } flag:
                var decision = FlagEvaluator.Decide(flag, context, CallerOf(user), withReasons: false);
                var rules = flag.Rules.Select((rule, i) => rule.When.Explain(context) with { Text = $"rules[{i}]: {rule.When.Text}" }).ToList();
                return new Explanation($"flag {flag.Key}", decision.Value, rules);
            default:
                return null;
        }
    }

    public async Task<ProfileView?> GetProfileAsync(ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return null;
        }

        var (snapshot, at) = await SnapshotForAsync(ProfileReference.ByProfileId(profileId), asOf, cancellationToken).ConfigureAwait(false);
        var context = ProfileEvaluationContext.Create(snapshot, at);
        var catalog = snapshot.Catalog;
        var stored = await _store.GetMembershipsAsync(profileId, cancellationToken).ConfigureAwait(false);
        var storedBySegment = stored.ToDictionary(m => m.Segment, StringComparer.Ordinal);
        var events = await _store.GetEventsAsync(profileId, cancellationToken).ConfigureAwait(false);
        var visible = events.Where(e => e.Timestamp <= at).ToList();
        var activity = visible.Where(e => ProfileAggregates.IsActivity(e.Kind)).ToList();
        return new ProfileView
        {
            Id = profileId,
            CreatedAt = snapshot.CreatedAt,
            AsOf = at,
            Identifiers = snapshot.Identifiers,
            Properties = snapshot.Properties.AsValue,
            Traits = [.. catalog.Traits.Select(t => KeyValuePair.Create(t.Key, context.GetTrait(t.Slot)))],
            Segments = [.. catalog.Segments.Select(s =>
            {
                storedBySegment.TryGetValue(s.Key, out var row);
                return new SegmentState(s.Key, context.GetSegment(s.Slot), row?.Since, row?.UpdatedAt);
            })],
            Merges = await _store.GetMergesAsync(profileId, cancellationToken).ConfigureAwait(false),
            RecentEvents = [.. visible.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Sequence).Take(20)],
            EventCounts = (
                activity.Count,
                activity.Count(e => e.Timestamp > at - TimeSpan.FromHours(24)),
                activity.Count(e => e.Timestamp > at - TimeSpan.FromDays(7)),
                activity.Count(e => e.Timestamp > at - TimeSpan.FromDays(30))),
        };
    }

    public bool TryDecide(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context, out QuickDecision decision)
    {
        decision = default;
        var catalog = Catalog;
        if (!_isStarted || catalog.FindFlag(flag) is not { } compiled || !TryGetHotProfile(user, out var profileId) ||
            !_profiles.TryGetValue(profileId, out var entry) || entry.Snapshot is not { } snapshot || snapshot.Catalog != catalog)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (!snapshot.Aggregates.HoldAt(now))
        {
            return false;
        }

        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var variant = FlagEvaluator.Choose(compiled, evaluation, CallerOf(user), out var reason, out var ruleIndex);
        var allow = FlagEvaluator.Allows(compiled, variant, ruleIndex, out var value);
        decision = new QuickDecision(variant, value, allow, reason, ruleIndex);
        TinyCdpMetrics.Decisions.Add(1);
        return true;
    }

    private bool TryGetHotProfile(ProfileReference user, out Guid profileId)
    {
        if (user.Kind is { } kind)
        {
            return _owners.TryGetValue(new Identifier(kind, user.Text), out profileId);
        }

        if (user.ProfileId is { } id)
        {
            profileId = id;
            return true;
        }

        return _owners.TryGetValue(new Identifier(IdentifierKind.UserId, user.Text), out profileId) ||
            _owners.TryGetValue(new Identifier(IdentifierKind.AnonymousId, user.Text), out profileId);
    }

    public async Task<IReadOnlyList<ProfileView>> SearchProfilesAsync(string query, int limit = 50, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        query = query.Trim();
        if (query.Length == 0 || limit <= 0)
        {
            return [];
        }

        IReadOnlyList<Guid> ids;
        if (query.Contains('@', StringComparison.Ordinal) && Ingestion.IdentifierRules.IsUsableEmail(query))
        {
            var hash = new Identifier(IdentifierKind.EmailHash, Ingestion.IdentifierRules.EmailHash(query));
            var found = await _store.FindProfilesAsync([hash], cancellationToken).ConfigureAwait(false);
            ids = offset == 0 && found.TryGetValue(hash, out var owner) ? [owner] : [];
        }
        else if (Guid.TryParse(query, out var profileId))
        {
            ids = offset == 0 && await ResolveAsync(ProfileReference.ByProfileId(profileId), cancellationToken).ConfigureAwait(false) is { } live ? [live] : [];
        }
        else
        {
            ids = await _store.SearchProfilesAsync(query, Math.Min(limit, 1_000), offset, cancellationToken).ConfigureAwait(false);
        }

        var views = new List<ProfileView>();
        foreach (var id in ids)
        {
            if (await GetProfileAsync(ProfileReference.ByProfileId(id), null, cancellationToken).ConfigureAwait(false) is { } view)
            {
                views.Add(view);
            }
        }

        return views;
    }

    private static FlagEvaluator.Caller CallerOf(ProfileReference user) => user.Kind switch
    {
        IdentifierKind.UserId => new(user.Text, null),
        IdentifierKind.AnonymousId => new(null, user.Text),
        _ => user.ProfileId is null ? new(user.Text, null) : new(null, null),
    };

    private async ValueTask<CatalogSnapshot> CurrentCatalogAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return Catalog;
    }

    /// <summary>The snapshot to evaluate at <paramref name="asOf"/> (or now), and that instant.</summary>
    private async ValueTask<(ProfileSnapshot Snapshot, DateTimeOffset At)> SnapshotForAsync(ProfileReference user, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (asOf is { } at && at < now)
        {
            return (await AsOfSnapshotAsync(user, at, cancellationToken).ConfigureAwait(false), at);
        }

        return (await GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false), now);
    }

    /// <summary>
    /// A snapshot whose aggregates hold at <paramref name="now"/>: the published one when it does,
    /// otherwise refreshed under the profile's gate (rebuilt first if the catalog changed). An
    /// unknown person is an empty profile.
    /// </summary>
    internal async ValueTask<ProfileSnapshot> GetSnapshotAsync(ProfileReference user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var catalog = Catalog;
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return EmptySnapshot(catalog, now);
        }

        while (true)
        {
            var entry = _profiles.GetOrAdd(profileId, id => new ProfileEntry(id));
            entry.LastUsed = now.UtcTicks;
            if (entry.Snapshot is { } published && published.Catalog == catalog && published.Aggregates.HoldAt(now))
            {
                return published;
            }

            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (entry.Stale)
                {
                    // Another node changed it and the entry was dropped: take a fresh one.
                    continue;
                }

                if (entry.Retired)
                {
                    // Absorbed or deleted while we waited: resolve again.
                    if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } again)
                    {
                        return EmptySnapshot(catalog, now);
                    }

                    profileId = again;
                    continue;
                }

                if (!await EnsureLoadedAsync(entry, now, cancellationToken).ConfigureAwait(false))
                {
                    _profiles.TryRemove(KeyValuePair.Create(profileId, entry));

                    // Merged away or deleted (by another node, when the store is shared): resolve again.
                    if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is { } moved && moved != profileId)
                    {
                        profileId = moved;
                        continue;
                    }

                    return EmptySnapshot(catalog, now);
                }

                var snapshot = entry.Snapshot!;
                if (!snapshot.Aggregates.HoldAt(now))
                {
                    if (now < snapshot.Aggregates.ComputedAt - CompactionMargin)
                    {
                        // Far before what the live aggregators keep: evaluate from the stored messages.
                        return await AsOfSnapshotAsync(ProfileReference.ByProfileId(profileId), now, cancellationToken).ConfigureAwait(false);
                    }

                    snapshot = snapshot with { Aggregates = entry.Live!.Evaluate(now) };
                    entry.Snapshot = snapshot;
                }

                return snapshot;
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    private ProfileSnapshot EmptySnapshot(CatalogSnapshot catalog, DateTimeOffset now)
    {
        var cached = Volatile.Read(ref _emptySnapshot);
        if (cached is null || cached.Catalog != catalog)
        {
            cached = ProfileSnapshot.Empty(catalog, _options.TimeZone, now);
            Volatile.Write(ref _emptySnapshot, cached);
        }

        return cached;
    }

    private ProfileSnapshot? _emptySnapshot;

    /// <summary>
    /// Makes sure the entry holds the committed state for the current catalog (caller holds the
    /// gate). False when the profile is not stored. One store read (<see cref="ICdpStore.LoadProfileStateAsync"/>).
    /// </summary>
    private async Task<bool> EnsureLoadedAsync(ProfileEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (IsCurrent(entry))
        {
            return true;
        }

        var catalog = Catalog;
        var state = await _store.LoadProfileStateAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        return Install(entry, state, catalog, now);
    }

    /// <summary>Whether the entry already holds the committed state for the current catalog (under the gate).</summary>
    private bool IsCurrent(ProfileEntry entry)
    {
        var catalog = Catalog;
        return entry.Snapshot is { } snapshot && entry.Live is { } live && live.Catalog == catalog && snapshot.Catalog == catalog;
    }

    /// <summary>
    /// Builds the entry's aggregators and snapshot from the stored state (caller holds the gate); false
    /// when the profile is not stored or was absorbed.
    /// </summary>
    private bool Install(ProfileEntry entry, StoredProfileState? state, Definitions.CatalogSnapshot catalog, DateTimeOffset now) =>
        state is not null && state.Profile.MergedInto is null &&
        Install(entry, Prepare(state, catalog, now - CompactionMargin), now);

    /// <summary>Publishes a prepared profile into its entry (caller holds the gate; the preparation fits the catalog and time).</summary>
    private bool Install(ProfileEntry entry, PreparedProfile prepared, DateTimeOffset now)
    {
        var row = prepared.Row;
        var aggregates = prepared.Aggregates;
        aggregates.Compact(now - CompactionMargin);
        entry.Live = aggregates;
        entry.StoredTraits = prepared.TraitValues.ToImmutableDictionary(t => t.Trait, t => t.ValueJson, StringComparer.Ordinal);
        entry.Snapshot = new ProfileSnapshot(entry.Id, row.CreatedAt, [.. prepared.Identifiers], prepared.Properties, prepared.Catalog, aggregates.Evaluate(now),
            prepared.Memberships.ToImmutableDictionary(m => m.Segment, StringComparer.Ordinal), row.Version);
        foreach (var identifier in prepared.Identifiers)
        {
            _owners[identifier] = entry.Id;
        }

        return true;
    }

    /// <summary>Rebuilds a stored (live) profile's aggregators for a catalog, compacted to a horizon; touches no engine state.</summary>
    private PreparedProfile Prepare(StoredProfileState state, Definitions.CatalogSnapshot catalog, DateTimeOffset horizon)
    {
        var row = state.Profile;
        var properties = ProfileProperties.FromStored(row.PropertiesJson, row.PropertyTimesJson);
        var aggregates = Replay(state.Events, catalog, properties, DateTimeOffset.MaxValue, horizon);
        return new PreparedProfile(row, state.Identifiers, state.Memberships, state.TraitValues, properties, aggregates, catalog, horizon);
    }

    /// <summary>The profile id a reference names, following merges; null for an unknown person.</summary>
    internal async ValueTask<Guid?> ResolveAsync(ProfileReference user, CancellationToken cancellationToken)
    {
        Identifier[] candidates = user.Kind is { } kind
            ? [new Identifier(kind, user.Text)]
            : user.ProfileId is null ? [new Identifier(IdentifierKind.UserId, user.Text), new Identifier(IdentifierKind.AnonymousId, user.Text)] : [];
        foreach (var candidate in candidates)
        {
            if (_owners.TryGetValue(candidate, out var cached))
            {
                return cached;
            }
        }

        if (candidates.Length > 0)
        {
            var found = await _store.FindProfilesAsync(candidates, cancellationToken).ConfigureAwait(false);
            foreach (var candidate in candidates)
            {
                if (found.TryGetValue(candidate, out var owner))
                {
                    return owner;
                }
            }
        }

        if (user.ProfileId is { } profileId)
        {
            if (_profiles.TryGetValue(profileId, out var entry) && entry.Snapshot is not null)
            {
                return profileId;
            }

            var row = await _store.GetProfileAsync(profileId, cancellationToken).ConfigureAwait(false);
            return row?.MergedInto ?? row?.Id;
        }

        return null;
    }

    /// <summary>
    /// SEMANTICS.md §3 "as of T": only the messages with event time ≤ T (profile properties
    /// included), with today's identity graph and definitions.
    /// </summary>
    private async Task<ProfileSnapshot> AsOfSnapshotAsync(ProfileReference user, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var catalog = Catalog;
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId ||
            await _store.LoadProfileStateAsync(profileId, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return ProfileSnapshot.Empty(catalog, _options.TimeZone, at);
        }

        var (row, events, identifiers) = (state.Profile, state.Events, state.Identifiers);
        var properties = ProfileProperties.Empty;
        foreach (var e in events.Where(e => e.Kind == MessageKind.Identify && e.Timestamp <= at))
        {
            properties = properties.Apply(e.TraitsJson is null ? Value.Null : Value.ParseJson(e.TraitsJson), e.Timestamp, e.Sequence);
        }

        var aggregates = Replay(events, catalog, properties, at);
        return new ProfileSnapshot(profileId, row.CreatedAt, [.. identifiers], properties, catalog, aggregates.Evaluate(at),
            ImmutableDictionary<string, StoredMembership>.Empty, row.Version);
    }
}
