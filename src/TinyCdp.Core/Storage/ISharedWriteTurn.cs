namespace TinyCdp.Storage;

/// <summary>The cluster-wide write turn: at most one is open across every process sharing the store.</summary>
public interface ISharedWriteTurn : IAsyncDisposable
{
    /// <summary>What other processes committed before this turn began and after the version asked for.</summary>
    SharedChanges Changes { get; }

    /// <summary>Commits inside the turn (like <see cref="ICdpStore.CommitAsync"/>) and ends it; at most once.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default);
}
