using Microsoft.Extensions.Logging;
using TinyCdp.Engine.Backfill;
using TinyCdp.Engine.Cluster;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// The commit in flight (writer only): at most one computed ingest group is being committed while the
/// writer computes the next on top of it. Draining waits for it and finishes it: publish and
/// acknowledge its callers, or discard what it touched and fail them.
/// </summary>
internal sealed partial class CommitPipeline(EngineContext engine, ClusterSync cluster, StoreCommitter committer, SnapshotPublisher publisher,
    CatalogBackfill backfill)
{
    /// <summary>The group whose commit is in flight; null when none.</summary>
    private InFlightGroup? _inFlight;

    /// <summary>Test hook: called (in the writer) when computing a group starts waiting for the commit in flight.</summary>
    internal Action? OnWaitingForInFlightCommit { get; set; }

    /// <summary>The batch whose commit is in flight, if any.</summary>
    public WriteBatch? InFlightBatch => _inFlight?.Batch;

    /// <summary>The commit in flight, if any (the writer waits for it or for new work, whichever comes first).</summary>
    public Task? InFlightCommit => _inFlight?.Commit;

    /// <summary>The basis of the batch while its commit is still in flight; null once it ended.</summary>
    public WriteBatch? InFlightBasis(WriteBatch batch) =>
        batch.Basis is { } basis && ReferenceEquals(_inFlight?.Batch, basis) ? basis : null;

    /// <summary>Hands a computed group to the store, on another thread unless the commit runs inside a write turn.</summary>
    public void Start(InFlightGroup group)
    {
        var transaction = group.Batch.Transaction;
        if (cluster.Turn is not null)
        {
            group.Commit = committer.CommitAsync(transaction);
        }
        else
        {
            // Off the writer's thread: the commit is counted for the backfill when it is drained.
            group.CountWhenDrained = true;
            var store = engine.Store;
            var token = engine.Stopping;
            group.Commit = Task.Run(() => store.CommitAsync(transaction, token), CancellationToken.None);
        }

        _inFlight = group;
    }

    /// <summary>
    /// Waits for the commit in flight and finishes it: publish and acknowledge, or discard and fail.
    /// True when it was stored (or there was none).
    /// </summary>
    public async Task<bool> DrainAsync()
    {
        if (_inFlight is not { } group)
        {
            return true;
        }

        _inFlight = null;
        var batch = group.Batch;
        try
        {
            var cursors = await group.Commit.ConfigureAwait(false);
            NoteCommitted(group);
            publisher.Publish(batch, group.Published, cursors);
        }
        catch (Exception exception)
        {
            NoteCommitted(group);
            publisher.Abort(batch);
            batch.ReleaseGates();
            Fail(group.Operations, exception);
            return false;
        }

        TinyCdpMetrics.CommitDuration.Record(engine.Time.GetElapsedTime(group.Started).TotalMilliseconds);
        TinyCdpMetrics.MessagesStored.Add(batch.Transaction.Events.Count);
        TinyCdpMetrics.MessagesDuplicate.Add(group.Results.Sum(r => r.Count(i => i.Duplicate)));
        for (var i = 0; i < group.Operations.Length; i++)
        {
            group.Operations[i].Completion.TrySetResult(new BatchResult(group.Results[i], null));
        }

        batch.ReleaseGates();
        return true;
    }

    /// <summary>
    /// A commit that ran off the writer's thread is counted here, in the writer, once it ended, so that
    /// a backfill page read before it ended is read again for the profiles it touched.
    /// </summary>
    private void NoteCommitted(InFlightGroup group)
    {
        if (group.CountWhenDrained)
        {
            group.CountWhenDrained = false;
            backfill.NoteCommitted(group.Batch.Transaction);
        }
    }

    /// <summary>Waits for the commit in flight; throws when it failed (what was computed on top of it must be computed again).</summary>
    public async Task DrainOrThrowAsync()
    {
        if (_inFlight is null)
        {
            return;
        }

        OnWaitingForInFlightCommit?.Invoke();
        if (!await DrainAsync().ConfigureAwait(false))
        {
            throw new PredecessorFailedException();
        }
    }

    /// <summary>Fails the callers of a group that was not stored.</summary>
    public void Fail(IngestOperation[] operations, Exception exception)
    {
        Log.CommitFailed(engine.Logger, exception, operations.Sum(o => o.Messages.Count));
        var failure = exception as TinyCdpException ?? new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "The store did not accept the write; nothing was stored.", exception);
        foreach (var operation in operations)
        {
            operation.Completion.TrySetException(failure);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Error, "A commit of {Messages} messages failed; the callers were told and nothing was acknowledged")]
        public static partial void CommitFailed(ILogger logger, Exception exception, int messages);
    }
}
