namespace TinyCdp.Storage;

/// <summary>
/// What other processes sharing a store committed, and a wait for their next commit: how an engine on a
/// shared store keeps its cache in step between its own writes (see <see cref="ISharedCdpStore"/>).
/// </summary>
public interface ISharedChangeReader
{
    /// <summary>
    /// What other processes committed after <paramref name="seenVersion"/>, without taking the write turn.
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
