using TinyCdp.Engine.Backfill;
using TinyCdp.Engine.Cluster;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>The writer's way into the store: through the open write turn when there is one, and every commit counted for the backfill's read-ahead.</summary>
internal sealed class StoreCommitter(EngineContext engine, ClusterSync cluster, CatalogBackfill backfill)
{
    /// <summary>Commits (through the open turn when there is one); counts the commit, succeeded or not.</summary>
    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction)
    {
        try
        {
            return await (cluster.Turn is { } turn ? turn.CommitAsync(transaction, engine.Stopping) : engine.Store.CommitAsync(transaction, engine.Stopping))
                .ConfigureAwait(false);
        }
        finally
        {
            backfill.NoteCommitted(transaction);
        }
    }
}
