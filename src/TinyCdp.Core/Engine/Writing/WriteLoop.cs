using TinyCdp.Definitions;
using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Cluster;
using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// The single writer: takes what is queued, groups ingest operations into one commit, and runs every
/// other operation (definitions, deletions, re-evaluations, API keys) alone, in queue order.
/// </summary>
/// <remarks>
/// <para>
/// Ingest is pipelined in two stages on a store of one process: while group N's commit (and its
/// <c>fsync</c>) runs on another thread, the writer computes group N+1 in memory on top of N's
/// uncommitted state, then waits for N, publishes N and acknowledges its callers, and only then hands
/// N+1 to the store (<see cref="CommitPipeline"/>). At most one commit is in flight. What N+1 reads
/// from N is kept exact: identifier owners, merges and remembered message ids of N are handed to N+1
/// (the store may not have them yet); a profile N touched is taken over with its gate still held (so
/// readers never see N+1's uncommitted state) instead of being loaded again; anything that reads a
/// profile's stored history (a rebuild) waits for N first. When N's commit fails, N+1 is thrown away
/// with the in-memory state of every profile either touched and computed again from the store, as if
/// it had come after the failure. A group of fewer than <see cref="PipelineMinMessages"/> messages is
/// not computed on top: it waits for the commit in flight. Other operations wait for the commit in
/// flight, so they keep their order relative to ingest. On a shared store (<see cref="ISharedCdpStore"/>)
/// every group is computed and committed inside its own write turn, serially.
/// </para>
/// </remarks>
internal sealed class WriteLoop(EngineContext engine, WriteQueue queue, ProfileCache cache, ClusterSync cluster, CommitPipeline pipeline,
    MessageIngest ingest, BatchCommit commit, SnapshotPublisher publisher, Reevaluation reevaluation, ProfileDeletion deletion,
    DefinitionChanges definitions, ApiKeyChanges apiKeys)
{
    /// <summary>
    /// The fewest queued messages computed on top of a commit in flight. Overlapping pays when a group's
    /// computation takes about as long as a commit's fixed cost (an fsync, about 1–2 ms here; a message
    /// costs 20–40 µs to compute), and halves throughput for groups far smaller than that. Settable for tests.
    /// </summary>
    internal int PipelineMinMessages { get; set; } = 32;

    /// <summary>The commit pipeline (tests reach its hook through it).</summary>
    internal CommitPipeline Pipeline => pipeline;

    /// <summary>Runs until the queue completes or the engine stops; then fails whatever was not committed.</summary>
    public async Task RunAsync()
    {
        var reader = queue.Reader;
        var group = new List<IngestOperation>();
        try
        {
            Task<bool>? more = null;
            while (true)
            {
                more ??= reader.WaitToReadAsync(engine.Stopping).AsTask();
                if (pipeline.InFlightCommit is { } inFlight && !more.IsCompleted)
                {
                    // Nothing queued: finish the commit in flight (acknowledge it) unless work arrives first.
                    await Task.WhenAny(more, inFlight).ConfigureAwait(false);
                    if (!more.IsCompleted)
                    {
                        await pipeline.DrainAsync().ConfigureAwait(false);
                        cache.EvictIfNeeded();
                        continue;
                    }
                }

                if (!await more.ConfigureAwait(false))
                {
                    break;
                }

                more = null;
                var messages = 0;
                while (true)
                {
                    while (reader.TryRead(out var operation))
                    {
                        if (!operation.TryTake())
                        {
                            continue; // Abandoned by its caller: the engine could not start in time.
                        }

                        if (operation is IngestOperation ingestOperation)
                        {
                            group.Add(ingestOperation);
                            messages += ingestOperation.Messages.Count;
                            if (messages < engine.Options.MaxMessagesPerCommit)
                            {
                                continue;
                            }
                        }

                        await FlushAsync(group).ConfigureAwait(false);
                        messages = 0;
                        if (operation is not IngestOperation)
                        {
                            await pipeline.DrainAsync().ConfigureAwait(false);
                            await RunOperationAsync(operation).ConfigureAwait(false);
                        }
                    }

                    // A small group is not computed on top of the commit in flight: the two groups would
                    // each pay a commit's fixed cost (the fsync) for messages that one commit can carry,
                    // which halves throughput when commits are mostly that cost. Wait for the commit in
                    // flight instead (its callers are acknowledged and send again) and take what arrives.
                    if (group.Count > 0 && messages < PipelineMinMessages && pipeline.InFlightCommit is not null)
                    {
                        await pipeline.DrainAsync().ConfigureAwait(false);
                        continue;
                    }

                    break;
                }

                await FlushAsync(group).ConfigureAwait(false);
                cache.EvictIfNeeded();
            }
        }
        catch (OperationCanceledException) when (engine.IsStopping)
        {
            // Stopping: fail what is left so no caller waits forever.
        }

        // The commit in flight ends either way (stopping cancels it); its callers learn which.
        await pipeline.DrainAsync().ConfigureAwait(false);
        foreach (var operation in group)
        {
            operation.Completion.TrySetException(new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp stopped before the write was committed."));
        }

        while (reader.TryRead(out var left))
        {
            WriteQueue.Abandon(left, new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp stopped before the write was committed."));
        }
    }

    /// <summary>
    /// Computes a group of ingest operations (on top of the commit in flight, if any), waits for that
    /// commit, and starts the group's own. On a shared store the whole runs inside one write turn and
    /// the group's commit is waited for too.
    /// </summary>
    private async Task FlushAsync(List<IngestOperation> group)
    {
        if (group.Count == 0)
        {
            return;
        }

        var operations = group.ToArray();
        group.Clear();
        if (engine.Shared is not null)
        {
            await pipeline.DrainAsync().ConfigureAwait(false);
            try
            {
                await cluster.InTurnAsync(async () =>
                {
                    if (await ComputeGroupAsync(operations).ConfigureAwait(false))
                    {
                        await pipeline.DrainAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The turn could not be taken (or given back): nothing of the group was stored.
                pipeline.Fail(operations, exception);
            }

            return;
        }

        await ComputeGroupAsync(operations).ConfigureAwait(false);
    }

    /// <summary>
    /// Computes the group and starts its commit (after the one in flight succeeded): true when started;
    /// false when it failed, its callers told. When the commit in flight fails, the group is computed
    /// again from the store.
    /// </summary>
    private async Task<bool> ComputeGroupAsync(IngestOperation[] operations)
    {
        while (true)
        {
            var basis = pipeline.InFlightBatch;
            if (basis?.Transaction.ForgetMessageIdsBefore is not null)
            {
                // Dedupe must see the store after it forgot: wait for that commit (once per forget interval).
                await pipeline.DrainAsync().ConfigureAwait(false);
                basis = null;
            }

            var started = engine.Time.GetTimestamp();
            var batch = new WriteBatch(engine.Time.GetUtcNow(), ChangeCause.Event) { Basis = basis };
            batch.InheritFrom(basis);
            try
            {
                var results = new List<IngestResult>[operations.Length];
                await ingest.PrefetchAsync(batch, operations).ConfigureAwait(false);
                for (var i = 0; i < operations.Length; i++)
                {
                    results[i] = [];
                    foreach (var message in operations[i].Messages)
                    {
                        results[i].Add(await ingest.ApplyAsync(batch, message).ConfigureAwait(false));
                    }
                }

                var published = await commit.PrepareAsync(batch).ConfigureAwait(false);
                await pipeline.DrainOrThrowAsync().ConfigureAwait(false);
                batch.Basis = null;
                pipeline.Start(new InFlightGroup(batch, operations, results, published, started));
                return true;
            }
            catch (PredecessorFailedException)
            {
                // Computed on state that was never stored: forget it and compute the group again.
                publisher.Abort(batch);
                batch.ReleaseGates();
            }
            catch (Exception exception)
            {
                // The commit in flight ends first: the profiles both touched are discarded after its publish.
                await pipeline.DrainAsync().ConfigureAwait(false);
                publisher.Abort(batch);
                batch.ReleaseGates();
                pipeline.Fail(operations, exception);
                return false;
            }
        }
    }

    private async Task RunOperationAsync(WriteOperation operation)
    {
        try
        {
            switch (operation)
            {
                case DefinitionOperation definition:
                    DefinitionResult? result = null;
                    await cluster.InTurnAsync(async () => result = await definitions.ApplyAsync(definition).ConfigureAwait(false)).ConfigureAwait(false);
                    definition.Completion.TrySetResult(result!);
                    break;
                case DeleteOperation delete:
                    var deleted = false;
                    await cluster.InTurnAsync(async () => deleted = await deletion.RunAsync(delete).ConfigureAwait(false)).ConfigureAwait(false);
                    delete.Completion.TrySetResult(deleted);
                    break;
                case ReevaluateOperation reevaluate:
                    await cluster.InTurnAsync(() => reevaluation.RunAsync(reevaluate)).ConfigureAwait(false);
                    reevaluate.Completion.TrySetResult();
                    break;
                case ApiKeyOperation apiKey:
                    var changed = false;
                    await cluster.InTurnAsync(async () => changed = await apiKeys.ApplyAsync(apiKey).ConfigureAwait(false)).ConfigureAwait(false);
                    apiKey.Completion.TrySetResult(changed);
                    break;
            }
        }
        catch (Exception exception)
        {
            WriteQueue.Abandon(operation, exception as TinyCdpException ?? new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "The store did not accept the write; nothing was stored.", exception));
        }
    }
}
