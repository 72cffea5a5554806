using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Reading;

/// <summary>
/// Resolves a person and gives the snapshot to evaluate: the published one while it holds, refreshed
/// under the profile's gate when it no longer does, or rebuilt from stored messages for "as of" reads.
/// Callers make sure the engine runs first.
/// </summary>
internal sealed class SnapshotReader(EngineContext engine, ProfileCache cache, ProfileLoader loader)
{
    private ProfileSnapshot? _emptySnapshot;

    /// <summary>The snapshot to evaluate at <paramref name="asOf"/> (or now), and that instant.</summary>
    public async ValueTask<(ProfileSnapshot Snapshot, DateTimeOffset At)> SnapshotForAsync(ProfileReference user, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var now = engine.Time.GetUtcNow();
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
    public async ValueTask<ProfileSnapshot> GetSnapshotAsync(ProfileReference user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var catalog = engine.Catalog;
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return EmptySnapshot(catalog, now);
        }

        while (true)
        {
            var entry = cache.GetOrAdd(profileId);
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

                if (!await loader.EnsureLoadedAsync(entry, now, cancellationToken).ConfigureAwait(false))
                {
                    cache.TryRemove(entry);

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
                    if (now < snapshot.Aggregates.ComputedAt - EngineContext.CompactionMargin)
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

    /// <summary>The profile id a reference names, following merges; null for an unknown person.</summary>
    public async ValueTask<Guid?> ResolveAsync(ProfileReference user, CancellationToken cancellationToken)
    {
        Identifier[] candidates = user.Kind is { } kind
            ? [new Identifier(kind, user.Text)]
            : user.ProfileId is null ? [new Identifier(IdentifierKind.UserId, user.Text), new Identifier(IdentifierKind.AnonymousId, user.Text)] : [];
        foreach (var candidate in candidates)
        {
            if (cache.TryGetOwner(candidate, out var cached))
            {
                return cached;
            }
        }

        if (candidates.Length > 0)
        {
            var found = await engine.Store.FindProfilesAsync(candidates, cancellationToken).ConfigureAwait(false);
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
            if (cache.TryGet(profileId, out var entry) && entry.Snapshot is not null)
            {
                return profileId;
            }

            var row = await engine.Store.GetProfileAsync(profileId, cancellationToken).ConfigureAwait(false);
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
        var catalog = engine.Catalog;
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId ||
            await engine.Store.LoadProfileStateAsync(profileId, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return ProfileSnapshot.Empty(catalog, engine.Options.TimeZone, at);
        }

        var properties = ProfileReplay.PropertiesAsOf(state.Events, at);
        var aggregates = ProfileReplay.Replay(state.Events, catalog, engine.Options.TimeZone, properties, at);
        return new ProfileSnapshot(profileId, state.Profile.CreatedAt, [.. state.Identifiers], properties, catalog, aggregates.Evaluate(at),
            ImmutableDictionary<string, StoredMembership>.Empty, state.Profile.Version);
    }

    private ProfileSnapshot EmptySnapshot(CatalogSnapshot catalog, DateTimeOffset now)
    {
        var cached = Volatile.Read(ref _emptySnapshot);
        if (cached is null || cached.Catalog != catalog)
        {
            cached = ProfileSnapshot.Empty(catalog, engine.Options.TimeZone, now);
            Volatile.Write(ref _emptySnapshot, cached);
        }

        return cached;
    }
}
