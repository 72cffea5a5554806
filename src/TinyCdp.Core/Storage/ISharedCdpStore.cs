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
public interface ISharedCdpStore : ICdpStore
{
    /// <summary>
    /// Waits for the cluster-wide write turn and returns it with what other processes committed after
    /// <paramref name="seenVersion"/> (see <see cref="ReadSharedChangesAsync"/>). Commit through the
    /// turn; disposing it without a commit writes nothing and gives the turn up. A plain
    /// <see cref="ICdpStore.CommitAsync"/> takes a turn of its own for just that commit.
    /// </summary>
    Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// What other processes committed after <paramref name="seenVersion"/>, without taking the turn.
    /// A negative <paramref name="seenVersion"/> asks only for the newest version and last sequence
    /// (empty <see cref="SharedChanges.Profiles"/>).
    /// </summary>
    Task<SharedChanges> ReadSharedChangesAsync(long seenVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes with true when another process may have committed (a notification arrived or the
    /// notification channel was re-established, so something may have been missed), or with false
    /// after <paramref name="timeout"/>.
    /// </summary>
    Task<bool> WaitForSharedChangeAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>The cluster-wide write turn: at most one is open across every process sharing the store.</summary>
public interface ISharedWriteTurn : IAsyncDisposable
{
    /// <summary>What other processes committed before this turn began and after the version asked for.</summary>
    SharedChanges Changes { get; }

    /// <summary>Commits inside the turn (like <see cref="ICdpStore.CommitAsync"/>) and ends it; at most once.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default);
}

/// <summary>What other processes committed to a shared store after a given log version.</summary>
/// <param name="Version">The newest log version (including this process's own commits): the caller's next <c>seenVersion</c>.</param>
/// <param name="LastSequence">The highest event sequence stored, so new events continue after it.</param>
/// <param name="Complete">False when the log no longer reaches back to the version asked for: every cached profile must be dropped.</param>
/// <param name="CatalogChanged">Another process changed the definitions.</param>
/// <param name="KeysChanged">Another process created or revoked API keys.</param>
/// <param name="Profiles">Profiles another process wrote (created, changed, merged, absorbed or deleted).</param>
public sealed record SharedChanges(long Version, long LastSequence, bool Complete, bool CatalogChanged, bool KeysChanged, IReadOnlyList<Guid> Profiles)
{
    /// <summary>True when there is nothing to catch up on.</summary>
    public bool IsEmpty => Complete && !CatalogChanged && !KeysChanged && Profiles.Count == 0;
}
