using Microsoft.Extensions.Logging;
using TinyCdp.Engine.Cache;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Cluster;

/// <summary>
/// Several engines on one store (<see cref="ISharedCdpStore"/>): each writer operation runs inside
/// the cluster-wide write turn after catching up on what other nodes committed, and a listener
/// drops cached state that other nodes changed so reads follow within a second. On a store of one
/// process every method is a pass-through.
/// </summary>
internal sealed partial class ClusterSync(EngineContext engine, ProfileCache cache)
{
    /// <summary>How long the listener waits for a notification before it looks at the log anyway.</summary>
    private static readonly TimeSpan SharedPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private long _seen;
    private long _keysEpoch;

    /// <summary>Changes whenever another node created or revoked API keys (the key cache reloads).</summary>
    public long KeysEpoch => Interlocked.Read(ref _keysEpoch);

    /// <summary>The open write turn (writer only); commits go through it.</summary>
    public ISharedWriteTurn? Turn { get; private set; }

    /// <summary>At start: the shared log's position, so whatever other nodes commit after it is caught up on.</summary>
    public async Task<long> ReadPositionAsync(CancellationToken cancellationToken) =>
        engine.Shared is not { } shared ? 0 : (await shared.ReadSharedChangesAsync(-1, cancellationToken).ConfigureAwait(false)).Version;

    /// <summary>At start, once the engine's own state is loaded: from here on, changes after this position are caught up on.</summary>
    public void StartFrom(long position) => _seen = position;

    /// <summary>
    /// Runs one writer operation inside the write turn when the store is shared: first catch up on
    /// what others committed (so nothing is computed from stale cache), then the operation, whose
    /// commit ends the turn.
    /// </summary>
    public async Task InTurnAsync(Func<Task> operation)
    {
        if (engine.Shared is not { } shared)
        {
            await operation().ConfigureAwait(false);
            return;
        }

        var turn = await shared.BeginWriteTurnAsync(Interlocked.Read(ref _seen), engine.Stopping).ConfigureAwait(false);
        try
        {
            engine.LastSequence = Math.Max(engine.LastSequence, turn.Changes.LastSequence);
            await ApplyAsync(turn.Changes).ConfigureAwait(false);
            Turn = turn;
            await operation().ConfigureAwait(false);
        }
        finally
        {
            Turn = null;
            await turn.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Between writes: a notification, or the poll interval, makes the engine catch up on other nodes' commits.</summary>
    public async Task RunListenerAsync()
    {
        var token = engine.Stopping;
        var shared = engine.Shared!;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // A missed notification costs at most one poll interval: the log is read either way.
                await shared.WaitForSharedChangeAsync(SharedPollInterval, token).ConfigureAwait(false);
                var changes = await shared.ReadSharedChangesAsync(Interlocked.Read(ref _seen), token).ConfigureAwait(false);
                await ApplyAsync(changes).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The store is away; what was missed is read from the log when it returns. Real
                // time, not the engine's clock: this paces I/O, it is not a semantic instant.
                Log.SharedCatchUpFailed(engine.Logger, exception);
                try
                {
                    await Task.Delay(SharedPollInterval, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Catches up on other nodes' commits now (the listener does it on its own within a second).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (engine.Shared is { } shared)
        {
            await ApplyAsync(await shared.ReadSharedChangesAsync(Interlocked.Read(ref _seen), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>Drops what other nodes changed: their profiles, the catalog, the key cache.</summary>
    private async Task ApplyAsync(SharedChanges changes)
    {
        await _catchUp.WaitAsync(engine.Stopping).ConfigureAwait(false);
        try
        {
            if (changes.Version <= Interlocked.Read(ref _seen) && changes.Complete)
            {
                return;
            }

            foreach (var id in changes.Complete ? changes.Profiles : [.. cache.Ids])
            {
                await cache.InvalidateAsync(id, engine.Stopping).ConfigureAwait(false);
            }

            if (changes.CatalogChanged || !changes.Complete)
            {
                engine.InstallCatalog(await engine.LoadCatalogAsync(engine.Stopping).ConfigureAwait(false));
            }

            if (changes.KeysChanged || !changes.Complete)
            {
                Interlocked.Increment(ref _keysEpoch);
            }

            if (changes.Version > Interlocked.Read(ref _seen))
            {
                Interlocked.Exchange(ref _seen, changes.Version);
            }
        }
        finally
        {
            _catchUp.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(8, LogLevel.Warning, "Could not catch up on other nodes' changes; trying again")]
        public static partial void SharedCatchUpFailed(ILogger logger, Exception exception);
    }
}
