namespace TinyCdp.Storage;

/// <summary>
/// A store that several processes write to at once (PostgreSQL behind several server nodes). Each
/// engine keeps its own cache, so the store coordinates them:
/// <list type="bullet">
/// <item>every commit, from any process, holds one cluster-wide write turn (commits are serialised
/// through the database) and appends an entry to a shared log naming the profiles it wrote and
/// whether it changed the catalog or the API keys;</item>
/// <item>the engine's writer begins a turn before it computes a write, learns what the others
/// committed since it last looked, drops those profiles from its cache, and commits inside the
/// same turn, so nothing it writes is computed from stale state;</item>
/// <item>between writes, a notification (or, when one is missed, a periodic look at the log) tells
/// the engine that others committed, so its reads catch up within a second.</item>
/// </list>
/// </summary>
public interface ISharedCdpStore : ICdpStore, ISharedChangeReader
{
    /// <summary>
    /// Waits for the cluster-wide write turn and returns it with what other processes committed after
    /// <paramref name="seenVersion"/> (see <see cref="ISharedChangeReader.ReadSharedChangesAsync"/>). Commit
    /// through the turn; disposing it without a commit writes nothing and gives the turn up. A plain
    /// <see cref="ICdpStore.CommitAsync"/> takes a turn of its own for just that commit.
    /// </summary>
    Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default);
}
