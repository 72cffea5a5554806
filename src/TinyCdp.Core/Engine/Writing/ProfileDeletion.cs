using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Reading;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Writing;

/// <summary>In the writer: deletes a profile with everything it owns; its memberships end with cause delete.</summary>
internal sealed class ProfileDeletion(EngineContext engine, ProfileCache cache, ProfileLoader loader, StoreCommitter committer, SnapshotPublisher publisher,
    ChangeFeed changeFeed)
{
    /// <summary>False when the profile is not stored (any more).</summary>
    public async Task<bool> RunAsync(DeleteOperation operation)
    {
        var now = engine.Time.GetUtcNow();
        var batch = new WriteBatch(now, ChangeCause.Delete);
        try
        {
            var entry = await cache.EnterAsync(operation.ProfileId, engine.Stopping).ConfigureAwait(false);
            batch.Gated.Add(entry);
            if (entry.Retired || !await loader.EnsureLoadedAsync(entry, now, engine.Stopping).ConfigureAwait(false))
            {
                return false;
            }

            var snapshot = entry.Snapshot!;
            var transaction = batch.Transaction;
            DerivedRecords.Exits(transaction, snapshot.Id, snapshot.UserId, snapshot.Memberships.Values, now, ChangeCause.Delete);
            transaction.DeletedProfiles.Add(snapshot.Id);
            if (operation.Suppress)
            {
                transaction.Suppressions.AddRange(snapshot.Identifiers);
            }

            var cursors = await committer.CommitAsync(transaction).ConfigureAwait(false);
            publisher.Retire(entry);
            foreach (var identifier in snapshot.Identifiers)
            {
                cache.RemoveOwner(identifier, snapshot.Id);
            }

            if (cursors.Count > 0)
            {
                changeFeed.Signal();
            }

            return true;
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
