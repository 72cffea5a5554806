using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Writing;
using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Backfill;

/// <summary>
/// Brings every stored profile's memberships and trait values up to a new catalog, page by page,
/// through the writer, with visible progress. Off the writer, each page's ids are listed and (unless
/// other nodes share the store) its profiles read in one batched read and replayed, the next page
/// while the writer works on this one.
/// </summary>
/// <remarks>
/// What the writer committed is tracked so that profiles read ahead are read again when a commit
/// touched them after that read. <c>_commitEpoch</c> counts commits (incremented after each one ends,
/// whether it succeeded or not); while a backfill runs, <c>_committed</c> holds, for each profile a
/// commit numbered above <c>_committedFloor</c> touched, the number of the last such commit. A read
/// ahead taken at epoch e (read before the store read) is usable iff e &gt;= <c>_committedFloor</c>,
/// and then exactly the profiles with a number above e may have changed since. Writer only, except
/// <c>_commitEpoch</c>.
/// </remarks>
internal sealed partial class CatalogBackfill(EngineContext engine, WriteQueue queue, ProfileLoader loader)
{
    private BackfillStatus _status = new("idle", 0, 0, 0);
    private Task _task = Task.CompletedTask;
    private CancellationTokenSource? _cancellation;
    private long _commitEpoch;
    private readonly Dictionary<Guid, long> _committed = [];
    private long _committedFloor = long.MaxValue;

    public BackfillStatus Status => Volatile.Read(ref _status);

    /// <summary>Completes when the running backfill (if any) ends.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Volatile.Read(ref _task).WaitAsync(cancellationToken);

    /// <summary>In the writer, after a catalog change: cancels a running backfill and starts one for <paramref name="catalog"/>.</summary>
    public void Start(CatalogSnapshot catalog)
    {
        _cancellation?.Cancel();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(engine.Stopping);
        _cancellation = cancellation;
        Volatile.Write(ref _status, new BackfillStatus("running", 0, 0, catalog.Version));
        TrackCommits();
        var task = Task.Run(async () =>
        {
            long done = 0;
            try
            {
                var total = await engine.Store.CountProfilesAsync(cancellation.Token).ConfigureAwait(false);
                Volatile.Write(ref _status, new BackfillStatus("running", 0, total, catalog.Version));
                var page = await ReadPageAsync(null, cancellation.Token).ConfigureAwait(false);
                while (page is not null && !cancellation.IsCancellationRequested)
                {
                    var operation = new ReevaluateOperation(page.Ids, null, ChangeCause.Definition) { Prefetched = page.Prefetched };
                    queue.Enqueue(operation);
                    var next = ReadPageAsync(page.Ids[^1], cancellation.Token);
                    await Task.WhenAll(operation.Completion.Task.WaitAsync(cancellation.Token), next).ConfigureAwait(false);
                    done += page.Ids.Count;
                    Volatile.Write(ref _status, new BackfillStatus("running", done, Math.Max(total, done), catalog.Version));
                    page = await next.ConfigureAwait(false);
                }

                if (!cancellation.IsCancellationRequested)
                {
                    Volatile.Write(ref _status, new BackfillStatus("done", done, done, catalog.Version));
                    Log.BackfillDone(engine.Logger, catalog.Version, done);
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // A newer catalog's backfill took over, or the engine is stopping.
            }
            catch (Exception exception)
            {
                Log.BackfillFailed(engine.Logger, exception, catalog.Version, done);
                Volatile.Write(ref _status, new BackfillStatus("failed", done, Status.Total, catalog.Version));
            }
        });
        Volatile.Write(ref _task, task);
    }

    /// <summary>One page of the backfill: the next live profile ids and, on a store no other node writes, their stored states.</summary>
    private async Task<BackfillPage?> ReadPageAsync(Guid? after, CancellationToken cancellationToken)
    {
        var ids = await engine.Store.ListProfileIdsAsync(after, engine.Options.BackfillBatchSize, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return null;
        }

        if (engine.Shared is not null)
        {
            // Other nodes commit without this writer knowing: the page is read inside the write turn.
            return new BackfillPage(ids, null);
        }

        // The commit count first: whatever the writer commits from here on may be missing from the read.
        var epoch = Interlocked.Read(ref _commitEpoch);
        var states = await engine.Store.LoadProfileStatesAsync(ids, cancellationToken).ConfigureAwait(false);

        // Replayed here too, so the writer only evaluates and commits (and the messages are garbage at once).
        var catalog = engine.Catalog;
        var horizon = engine.Time.GetUtcNow() - EngineContext.CompactionMargin;
        var prepared = new Dictionary<Guid, PreparedProfile>(states.Count);
        foreach (var (id, state) in states)
        {
            if (state.Profile.MergedInto is null)
            {
                prepared[id] = loader.Prepare(state, catalog, horizon);
            }
        }

        return new BackfillPage(ids, new Prefetch(epoch, prepared));
    }

    private sealed record BackfillPage(IReadOnlyList<Guid> Ids, Prefetch? Prefetched);

    /// <summary>In the writer, when a backfill starts: record which profiles commits touch from now on.</summary>
    private void TrackCommits()
    {
        if (_committedFloor == long.MaxValue)
        {
            _committedFloor = Interlocked.Read(ref _commitEpoch);
        }
    }

    /// <summary>In the writer, after every commit (succeeded or not): counts it and, while a backfill runs, notes the profiles it touched.</summary>
    public void NoteCommitted(StoreTransaction transaction)
    {
        var epoch = Interlocked.Increment(ref _commitEpoch);
        if (_committedFloor == long.MaxValue)
        {
            return;
        }

        if (Volatile.Read(ref _task).IsCompleted)
        {
            // No backfill reads ahead any more; pages of a cancelled one still queued are refused by the floor.
            _committed.Clear();
            _committedFloor = long.MaxValue;
            return;
        }

        foreach (var profile in transaction.Profiles)
        {
            _committed[profile.Id] = epoch;
        }

        foreach (var merge in transaction.Merges)
        {
            _committed[merge.Survivor] = epoch;
            _committed[merge.Absorbed] = epoch;
        }

        foreach (var (_, profileId) in transaction.Identifiers)
        {
            _committed[profileId] = epoch;
        }

        foreach (var stored in transaction.Events)
        {
            _committed[stored.ProfileId] = epoch;
        }

        foreach (var membership in transaction.Memberships)
        {
            _committed[membership.ProfileId] = epoch;
        }

        foreach (var value in transaction.TraitValues)
        {
            _committed[value.ProfileId] = epoch;
        }

        foreach (var profileId in transaction.DeletedProfiles)
        {
            _committed[profileId] = epoch;
        }
    }

    /// <summary>
    /// In the writer: a backfill's read-ahead when it can still be trusted (see the remarks);
    /// forgets the commits no later read-ahead needs.
    /// </summary>
    public Prefetch? UsablePrefetch(Prefetch? prefetched)
    {
        if (prefetched is not { } p || _committedFloor == long.MaxValue || p.CommitEpoch < _committedFloor)
        {
            return null;
        }

        // Later pages are read after this one, so at a later epoch: what was committed up to this read is no longer needed.
        foreach (var (profileId, epoch) in _committed)
        {
            if (epoch <= p.CommitEpoch)
            {
                _committed.Remove(profileId);
            }
        }

        _committedFloor = p.CommitEpoch;
        return p;
    }

    /// <summary>In the writer: whether a commit touched the profile after a read-ahead taken at <paramref name="epoch"/>.</summary>
    public bool CommittedSince(Guid profileId, long epoch) => _committed.TryGetValue(profileId, out var last) && last > epoch;

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Information, "Backfill of catalog version {Version} finished: {Done} profiles")]
        public static partial void BackfillDone(ILogger logger, long version, long done);

        [LoggerMessage(6, LogLevel.Error, "Backfill of catalog version {Version} failed after {Done} profiles")]
        public static partial void BackfillFailed(ILogger logger, Exception exception, long version, long done);
    }
}
