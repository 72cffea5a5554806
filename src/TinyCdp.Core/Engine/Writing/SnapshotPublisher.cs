using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Reading;
using TinyCdp.Engine.Timing;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// The end of a batch: after its commit, publishes the new snapshots (readers see them from then on),
/// updates the cache's owners, schedules the membership timer and wakes change-feed watchers; after a
/// failure, drops everything the batch touched so the next reader loads committed state.
/// </summary>
internal sealed class SnapshotPublisher(EngineContext engine, ProfileCache cache, MembershipTimer timer, ChangeFeed changeFeed)
{
    /// <summary>After the batch's commit: readers see the new snapshots from here on.</summary>
    public void Publish(WriteBatch batch, List<(WorkingProfile Working, ProfileSnapshot Snapshot)> published, IReadOnlyList<long> cursors)
    {
        var transaction = batch.Transaction;
        if (transaction.ForgetMessageIdsBefore is not null)
        {
            engine.LastForget = batch.Now;
        }

        foreach (var (working, snapshot) in published)
        {
            working.Live.Compact(batch.Now - EngineContext.CompactionMargin);
            working.Entry.Live = working.Live;
            working.Entry.StoredTraits = working.StoredTraits;
            working.Entry.Snapshot = snapshot;
            working.Entry.LastUsed = batch.Now.UtcTicks;
            foreach (var identifier in working.Identifiers)
            {
                cache.SetOwner(identifier, working.Id);
            }

            timer.Schedule(snapshot, batch.EvaluateAt ?? batch.Now);
        }

        foreach (var working in batch.Profiles.Values.Where(w => w.Retired))
        {
            Retire(working.Entry);
            if (batch.Deleted.Contains(working.Id))
            {
                foreach (var identifier in working.Identifiers)
                {
                    cache.RemoveOwner(identifier, working.Id);
                }
            }
        }

        if (cursors.Count > 0)
        {
            changeFeed.Signal();
        }
    }

    /// <summary>A profile absorbed or deleted by a committed batch: whoever waits for its gate resolves again.</summary>
    public void Retire(ProfileEntry entry)
    {
        entry.Retired = true;
        entry.Snapshot = null;
        entry.Live = null;
        cache.TryRemove(entry);
    }

    /// <summary>A failed commit: forget everything the batch touched so the next reader reloads committed state.</summary>
    public void Abort(WriteBatch batch)
    {
        foreach (var working in batch.Profiles.Values)
        {
            cache.Discard(working.Entry, working.Identifiers);
        }
    }
}
