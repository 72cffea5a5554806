using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// Several engines on one store (<see cref="ISharedCdpStore"/>): each writer operation runs inside
/// the cluster-wide write turn after catching up on what other nodes committed, and a listener
/// drops cached state that other nodes changed so reads follow within a second.
/// </summary>
internal sealed partial class CdpEngine
{
    /// <summary>How long the listener waits for a notification before it looks at the log anyway.</summary>
    private static readonly TimeSpan SharedPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly ISharedCdpStore? _shared;
    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private long _sharedSeen;
    private long _keysEpoch;

    /// <summary>The open write turn (writer only); commits go through it.</summary>
    private ISharedWriteTurn? _turn;

    /// <summary>Changes whenever another node created or revoked API keys (the key cache reloads).</summary>
    internal long KeysEpoch => Interlocked.Read(ref _keysEpoch);

    /// <summary>
    /// Runs one writer operation inside the write turn when the store is shared: first catch up on
    /// what others committed (so nothing is computed from stale cache), then the operation, whose
    /// commit ends the turn.
    /// </summary>
    private async Task InTurnAsync(Func<Task> operation)
    {
        if (_shared is null)
        {
            await operation().ConfigureAwait(false);
            return;
        }

        var turn = await _shared.BeginWriteTurnAsync(Interlocked.Read(ref _sharedSeen), _stopping.Token).ConfigureAwait(false);
        try
        {
            _lastSequence = Math.Max(_lastSequence, turn.Changes.LastSequence);
            await ApplySharedChangesAsync(turn.Changes).ConfigureAwait(false);
            _turn = turn;
            await operation().ConfigureAwait(false);
        }
        finally
        {
            _turn = null;
            await turn.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Commits through the open turn when there is one; counts the commit for the backfill's read-ahead.</summary>
    private async Task<IReadOnlyList<long>> CommitToStoreAsync(StoreTransaction transaction)
    {
        try
        {
            return await (_turn is { } turn ? turn.CommitAsync(transaction, _stopping.Token) : _store.CommitAsync(transaction, _stopping.Token))
                .ConfigureAwait(false);
        }
        finally
        {
            NoteCommitted(transaction);
        }
    }

    /// <summary>Between writes: a notification, or the poll interval, makes the engine catch up on other nodes' commits.</summary>
    private async Task RunSharedListenerAsync()
    {
        var token = _stopping.Token;
        var shared = _shared!;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // A missed notification costs at most one poll interval: the log is read either way.
                await shared.WaitForSharedChangeAsync(SharedPollInterval, token).ConfigureAwait(false);
                var changes = await shared.ReadSharedChangesAsync(Interlocked.Read(ref _sharedSeen), token).ConfigureAwait(false);
                await ApplySharedChangesAsync(changes).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The store is away; what was missed is read from the log when it returns. Real
                // time, not the engine's clock: this paces I/O, it is not a semantic instant.
                Log.SharedCatchUpFailed(_logger, exception);
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
    internal async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (_shared is not null)
        {
            await ApplySharedChangesAsync(await _shared.ReadSharedChangesAsync(Interlocked.Read(ref _sharedSeen), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>Drops what other nodes changed: their profiles, the catalog, the key cache.</summary>
    private async Task ApplySharedChangesAsync(SharedChanges changes)
    {
        await _catchUp.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            if (changes.Version <= Interlocked.Read(ref _sharedSeen) && changes.Complete)
            {
                return;
            }

            if (!changes.Complete)
            {
                foreach (var id in _profiles.Keys)
                {
                    await InvalidateAsync(id).ConfigureAwait(false);
                }
            }
            else
            {
                foreach (var id in changes.Profiles)
                {
                    await InvalidateAsync(id).ConfigureAwait(false);
                }
            }

            if (changes.CatalogChanged || !changes.Complete)
            {
                var catalog = await LoadCatalogAsync(_stopping.Token).ConfigureAwait(false);
                InstallCatalog(catalog);
            }

            if (changes.KeysChanged || !changes.Complete)
            {
                Interlocked.Increment(ref _keysEpoch);
            }

            if (changes.Version > Interlocked.Read(ref _sharedSeen))
            {
                Interlocked.Exchange(ref _sharedSeen, changes.Version);
            }
        }
        finally
        {
            _catchUp.Release();
        }
    }

    /// <summary>Swaps in a catalog unless a newer one is already live.</summary>
    private void InstallCatalog(CatalogSnapshot catalog)
    {
        while (true)
        {
            var current = Volatile.Read(ref _catalog);
            if (current.Version >= catalog.Version || Interlocked.CompareExchange(ref _catalog, catalog, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Forgets a cached profile (another node wrote it). Under its gate, so a reader that is loading
    /// it finishes first and its possibly older copy is dropped too; the next use loads it again.
    /// </summary>
    private async Task InvalidateAsync(Guid profileId)
    {
        if (!_profiles.TryGetValue(profileId, out var entry))
        {
            return;
        }

        await entry.Gate.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            if (!_profiles.TryRemove(KeyValuePair.Create(profileId, entry)))
            {
                return;
            }

            foreach (var identifier in entry.Snapshot?.Identifiers ?? [])
            {
                _owners.TryRemove(KeyValuePair.Create(identifier, profileId));
            }

            entry.Stale = true;
            entry.Snapshot = null;
            entry.Live = null;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>The cached entry of a profile with its gate held, skipping entries dropped while we waited.</summary>
    private async Task<ProfileEntry> EnterAsync(Guid profileId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _profiles.GetOrAdd(profileId, id => new ProfileEntry(id));
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!entry.Stale)
            {
                return entry;
            }

            entry.Gate.Release();
        }
    }
}
