using TinyCdp.Aggregation;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;

namespace TinyCdp.Engine.Reading;

/// <summary>One person's full picture (for the admin API and the console) and the search that finds people.</summary>
internal sealed class ProfileViews(EngineContext engine, SnapshotReader snapshots)
{
    public async Task<ProfileView?> GetProfileAsync(ProfileReference user, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        if (await snapshots.ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return null;
        }

        var store = engine.Store;
        var (snapshot, at) = await snapshots.SnapshotForAsync(ProfileReference.ByProfileId(profileId), asOf, cancellationToken).ConfigureAwait(false);
        var context = ProfileEvaluationContext.Create(snapshot, at);
        var catalog = snapshot.Catalog;
        var stored = await store.GetMembershipsAsync(profileId, cancellationToken).ConfigureAwait(false);
        var storedBySegment = stored.ToDictionary(m => m.Segment, StringComparer.Ordinal);
        var events = await store.GetEventsAsync(profileId, cancellationToken).ConfigureAwait(false);
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
            Merges = await store.GetMergesAsync(profileId, cancellationToken).ConfigureAwait(false),
            RecentEvents = [.. visible.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Sequence).Take(20)],
            EventCounts = (
                activity.Count,
                activity.Count(e => e.Timestamp > at - TimeSpan.FromHours(24)),
                activity.Count(e => e.Timestamp > at - TimeSpan.FromDays(7)),
                activity.Count(e => e.Timestamp > at - TimeSpan.FromDays(30))),
        };
    }

    public async Task<IReadOnlyList<ProfileView>> SearchProfilesAsync(string query, int limit, int offset, CancellationToken cancellationToken)
    {
        query = query.Trim();
        if (query.Length == 0 || limit <= 0)
        {
            return [];
        }

        IReadOnlyList<Guid> ids;
        if (query.Contains('@', StringComparison.Ordinal) && IdentifierRules.IsUsableEmail(query))
        {
            var hash = new Identifier(IdentifierKind.EmailHash, IdentifierRules.EmailHash(query));
            var found = await engine.Store.FindProfilesAsync([hash], cancellationToken).ConfigureAwait(false);
            ids = offset == 0 && found.TryGetValue(hash, out var owner) ? [owner] : [];
        }
        else if (Guid.TryParse(query, out var profileId))
        {
            ids = offset == 0 && await snapshots.ResolveAsync(ProfileReference.ByProfileId(profileId), cancellationToken).ConfigureAwait(false) is { } live ? [live] : [];
        }
        else
        {
            ids = await engine.Store.SearchProfilesAsync(query, Math.Min(limit, 1_000), offset, cancellationToken).ConfigureAwait(false);
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
}
