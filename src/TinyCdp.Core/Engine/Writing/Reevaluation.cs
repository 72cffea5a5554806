using TinyCdp.Engine.Backfill;
using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// In the writer: re-evaluates profiles (timer or backfill) and commits what changed. The profiles
/// not in memory are read in one batched read, or taken from what the backfill read ahead when no
/// commit touched them since. A backfill leaves the profiles it loaded out of the cache.
/// </summary>
internal sealed class Reevaluation(EngineContext engine, ProfileCache cache, ProfileLoader loader, CatalogBackfill backfill, BatchCommit commit,
    SnapshotPublisher publisher)
{
    public async Task RunAsync(ReevaluateOperation operation)
    {
        var now = engine.Time.GetUtcNow();

        // A time-driven change is recorded at the instant it happened, unless that is older than the live state keeps.
        var at = operation.At is { } due && due >= now - EngineContext.CompactionMargin && due <= now ? due : now;
        var batch = new WriteBatch(now, operation.Cause) { EvaluateAt = at };
        var loaded = new List<ProfileEntry>();
        try
        {
            var entries = new List<ProfileEntry>(operation.ProfileIds.Count);
            foreach (var profileId in operation.ProfileIds)
            {
                var entry = await cache.EnterAsync(profileId, engine.Stopping).ConfigureAwait(false);
                batch.Gated.Add(entry);
                if (!entry.Retired)
                {
                    entries.Add(entry);
                }
            }

            var prefetched = backfill.UsablePrefetch(operation.Prefetched);
            var catalog = engine.Catalog;
            var horizon = now - EngineContext.CompactionMargin;

            // Read now: what the backfill did not read ahead, or read before a commit touched it, or prepared for another catalog.
            var stale = entries
                .Where(entry => !loader.IsCurrent(entry) && !(prefetched is { } p && !backfill.CommittedSince(entry.Id, p.CommitEpoch) &&
                    (!p.Profiles.TryGetValue(entry.Id, out var ready) || (ready.Catalog == catalog && ready.Horizon <= horizon))))
                .Select(entry => entry.Id)
                .ToHashSet();
            var read = stale.Count == 0
                ? null
                : await engine.Store.LoadProfileStatesAsync(stale, engine.Stopping).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                if (!loader.IsCurrent(entry))
                {
                    var wasCached = entry.Snapshot is not null;
                    var installed = stale.Contains(entry.Id)
                        ? loader.Install(entry, read?.GetValueOrDefault(entry.Id), catalog, now)
                        : prefetched!.Profiles.TryGetValue(entry.Id, out var ready) && loader.Install(entry, ready, now);
                    if (!installed)
                    {
                        continue;
                    }

                    if (!wasCached)
                    {
                        loaded.Add(entry);
                    }
                }

                batch.Profiles.Add(entry.Id, WorkingProfile.FromEntry(entry, isNew: false));
            }

            if (batch.Profiles.Count > 0)
            {
                await commit.CommitAsync(batch).ConfigureAwait(false);
            }

            if (operation.Cause == ChangeCause.Definition)
            {
                // Cold profiles stay cold: a backfill over every profile must not push the hot ones out of the cache.
                foreach (var entry in loaded)
                {
                    cache.Forget(entry);
                }
            }
        }
        catch
        {
            publisher.Abort(batch);
            throw;
        }
        finally
        {
            batch.ReleaseGates();
        }
    }
}
