using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// The single writer: group commit of messages, merges, memberships, the change feed.
/// </summary>
/// <remarks>
/// <para>
/// Ingest is pipelined in two stages on a store of one process: while group N's commit (and its
/// <c>fsync</c>) runs on another thread, the writer computes group N+1 in memory on top of N's
/// uncommitted state, then waits for N, publishes N and acknowledges its callers, and only then hands
/// N+1 to the store. At most one commit is in flight. What N+1 reads from N is kept exact: identifier
/// owners, merges and remembered message ids of N are handed to N+1 (the store may not have them
/// yet); a profile N touched is taken over with its gate still held (so readers never see N+1's
/// uncommitted state) instead of being loaded again; anything that reads a profile's stored history
/// (a rebuild) waits for N first. When N's commit fails, N+1 is thrown away with the in-memory state
/// of every profile either touched and computed again from the store, as if it had come after the
/// failure. A group of fewer than <see cref="PipelineMinMessages"/> messages is not computed on top:
/// it waits for the commit in flight. Other operations (definitions, deletions, re-evaluations) wait for the commit in flight,
/// so they keep their order relative to ingest. On a shared store (<see cref="ISharedCdpStore"/>)
/// every group is computed and committed inside its own write turn, serially.
/// </para>
/// </remarks>
internal sealed partial class CdpEngine
{
    /// <summary>How far back from now aggregators keep exact state for reads (reads before that rebuild).</summary>
    private static readonly TimeSpan CompactionMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many consecutive groups may hand a profile's gate on without releasing it: a reader that
    /// waits for the gate (its snapshot expired) waits for at most this many commits.
    /// </summary>
    private const int MaxHandovers = 4;

    /// <summary>
    /// The fewest queued messages computed on top of a commit in flight. Overlapping pays when a group's
    /// computation takes about as long as a commit's fixed cost (an fsync, about 1–2 ms here; a message
    /// costs 20–40 µs to compute), and halves throughput for groups far smaller than that.
    /// </summary>
    internal int PipelineMinMessages { get; set; } = 32;

    /// <summary>The group whose commit is in flight (writer only); null when none.</summary>
    private InFlightGroup? _inFlight;

    /// <summary>Test hook: called (in the writer) when computing a group starts waiting for the commit in flight.</summary>
    internal Action? OnWaitingForInFlightCommit { get; set; }

    private async Task RunWriterAsync()
    {
        var reader = _writes.Reader;
        var group = new List<IngestOperation>();
        try
        {
            Task<bool>? more = null;
            while (true)
            {
                more ??= reader.WaitToReadAsync(_stopping.Token).AsTask();
                if (_inFlight is { } inFlight && !more.IsCompleted)
                {
                    // Nothing queued: finish the commit in flight (acknowledge it) unless work arrives first.
                    await Task.WhenAny(more, inFlight.Commit).ConfigureAwait(false);
                    if (!more.IsCompleted)
                    {
                        await DrainAsync().ConfigureAwait(false);
                        EvictIfNeeded();
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

                        if (operation is IngestOperation ingest)
                        {
                            group.Add(ingest);
                            messages += ingest.Messages.Count;
                            if (messages < _options.MaxMessagesPerCommit)
                            {
                                continue;
                            }
                        }

                        await FlushAsync(group).ConfigureAwait(false);
                        messages = 0;
                        if (operation is not IngestOperation)
                        {
                            await DrainAsync().ConfigureAwait(false);
                            await RunOperationAsync(operation).ConfigureAwait(false);
                        }
                    }

                    // A small group is not computed on top of the commit in flight: the two groups would
                    // each pay a commit's fixed cost (the fsync) for messages that one commit can carry,
                    // which halves throughput when commits are mostly that cost. Wait for the commit in
                    // flight instead (its callers are acknowledged and send again) and take what arrives.
                    if (group.Count > 0 && messages < PipelineMinMessages && _inFlight is not null)
                    {
                        await DrainAsync().ConfigureAwait(false);
                        continue;
                    }

                    break;
                }

                await FlushAsync(group).ConfigureAwait(false);
                EvictIfNeeded();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: fail what is left so no caller waits forever.
        }

        // The commit in flight ends either way (stopping cancels it); its callers learn which.
        await DrainAsync().ConfigureAwait(false);
        foreach (var operation in group)
        {
            operation.Completion.TrySetException(new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp stopped before the write was committed."));
        }

        while (reader.TryRead(out var left))
        {
            Abandon(left, new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp stopped before the write was committed."));
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
        if (_shared is not null)
        {
            await DrainAsync().ConfigureAwait(false);
            try
            {
                await InTurnAsync(async () =>
                {
                    if (await ComputeGroupAsync(operations).ConfigureAwait(false))
                    {
                        await DrainAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The turn could not be taken (or given back): nothing of the group was stored.
                Fail(operations, exception);
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
            var basis = _inFlight?.Batch;
            if (basis?.Transaction.ForgetMessageIdsBefore is not null)
            {
                // Dedupe must see the store after it forgot: wait for that commit (once per forget interval).
                await DrainAsync().ConfigureAwait(false);
                basis = null;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var batch = new WriteBatch(_time.GetUtcNow(), ChangeCause.Event) { Basis = basis };
            batch.InheritFrom(basis);
            try
            {
                var results = new List<IngestResult>[operations.Length];
                await PrefetchAsync(batch, operations).ConfigureAwait(false);
                for (var i = 0; i < operations.Length; i++)
                {
                    results[i] = [];
                    foreach (var message in operations[i].Messages)
                    {
                        results[i].Add(await ApplyMessageAsync(batch, message).ConfigureAwait(false));
                    }
                }

                var published = await PrepareCommitAsync(batch).ConfigureAwait(false);
                await DrainOrThrowAsync().ConfigureAwait(false);
                batch.Basis = null;
                StartCommit(new InFlightGroup(batch, operations, results, published, started));
                return true;
            }
            catch (PredecessorFailedException)
            {
                // Computed on state that was never stored: forget it and compute the group again.
                Abort(batch);
                batch.ReleaseGates();
            }
            catch (Exception exception)
            {
                // The commit in flight ends first: the profiles both touched are discarded after its publish.
                await DrainAsync().ConfigureAwait(false);
                Abort(batch);
                batch.ReleaseGates();
                Fail(operations, exception);
                return false;
            }
        }
    }

    private void Fail(IngestOperation[] operations, Exception exception)
    {
        Log.CommitFailed(_logger, exception, operations.Sum(o => o.Messages.Count));
        var failure = exception as TinyCdpException ?? new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "The store did not accept the write; nothing was stored.", exception);
        foreach (var operation in operations)
        {
            operation.Completion.TrySetException(failure);
        }
    }

    /// <summary>Hands a computed group to the store, on another thread unless the commit runs inside a write turn.</summary>
    private void StartCommit(InFlightGroup group)
    {
        var transaction = group.Batch.Transaction;
        if (_turn is not null)
        {
            group.Commit = CommitToStoreAsync(transaction);
        }
        else
        {
            var store = _store;
            var token = _stopping.Token;
            group.Commit = Task.Run(() => store.CommitAsync(transaction, token), CancellationToken.None);
        }

        _inFlight = group;
    }

    /// <summary>
    /// Waits for the commit in flight and finishes it: publish and acknowledge, or discard and fail.
    /// True when it was stored (or there was none).
    /// </summary>
    private async Task<bool> DrainAsync()
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
            Publish(batch, group.Published, cursors);
        }
        catch (Exception exception)
        {
            Abort(batch);
            batch.ReleaseGates();
            Fail(group.Operations, exception);
            return false;
        }

        TinyCdpMetrics.CommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(group.Started).TotalMilliseconds);
        TinyCdpMetrics.MessagesStored.Add(batch.Transaction.Events.Count);
        TinyCdpMetrics.MessagesDuplicate.Add(group.Results.Sum(r => r.Count(i => i.Duplicate)));
        for (var i = 0; i < group.Operations.Length; i++)
        {
            group.Operations[i].Completion.TrySetResult(new BatchResult(group.Results[i], null));
        }

        batch.ReleaseGates();
        return true;
    }

    private async Task RunOperationAsync(WriteOperation operation)
    {
        try
        {
            switch (operation)
            {
                case DefinitionOperation definition:
                    Definitions.DefinitionResult? result = null;
                    await InTurnAsync(async () => result = await ApplyDefinitionAsync(definition).ConfigureAwait(false)).ConfigureAwait(false);
                    definition.Completion.TrySetResult(result!);
                    break;
                case DeleteOperation delete:
                    var deleted = false;
                    await InTurnAsync(async () => deleted = await DeleteProfileInWriterAsync(delete).ConfigureAwait(false)).ConfigureAwait(false);
                    delete.Completion.TrySetResult(deleted);
                    break;
                case ReevaluateOperation reevaluate:
                    await InTurnAsync(() => ReevaluateAsync(reevaluate)).ConfigureAwait(false);
                    reevaluate.Completion.TrySetResult();
                    break;
            }
        }
        catch (Exception exception)
        {
            Abandon(operation, exception as TinyCdpException ?? new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "The store did not accept the write; nothing was stored.", exception));
        }
    }

    private static void Abandon(WriteOperation operation, Exception failure)
    {
        switch (operation)
        {
            case IngestOperation ingest:
                ingest.Completion.TrySetException(failure);
                break;
            case DefinitionOperation definition:
                definition.Completion.TrySetException(failure);
                break;
            case DeleteOperation delete:
                delete.Completion.TrySetException(failure);
                break;
            case ReevaluateOperation reevaluate:
                reevaluate.Completion.TrySetException(failure);
                break;
        }
    }

    /// <summary>One store round trip each for dedupe, suppression and identifier owners of the whole group.</summary>
    private async Task PrefetchAsync(WriteBatch batch, IngestOperation[] operations)
    {
        var messageIds = operations.SelectMany(o => o.Messages).Select(m => m.MessageId).OfType<string>()
            .Where(id => !batch.KnownMessageIds.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
        if (messageIds.Count > 0)
        {
            batch.KnownMessageIds.UnionWith(await _store.FindKnownMessageIdsAsync(messageIds, _stopping.Token).ConfigureAwait(false));
        }

        var identifiers = operations.SelectMany(o => o.Messages)
            .SelectMany(m => IdentifierRules.Extract(m).Concat(m.Kind == MessageKind.Alias ? IdentifierRules.AliasTargets(m) : []))
            .Distinct()
            .ToList();
        if (identifiers.Count == 0)
        {
            return;
        }

        var unknown = identifiers.Where(i => !_owners.ContainsKey(i) && !batch.Owners.ContainsKey(i)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        foreach (var (identifier, owner) in await _store.FindProfilesAsync(unknown, _stopping.Token).ConfigureAwait(false))
        {
            batch.Owners[identifier] = Follow(batch, owner);
        }

        // A suppressed identifier never has an owner (deletion removes it, and messages carrying it
        // are dropped), so only identifiers nobody owns need the suppression check.
        var unowned = unknown.Where(i => !batch.Owners.ContainsKey(i)).ToList();
        if (unowned.Count > 0)
        {
            batch.Suppressed.UnionWith(await _store.FindSuppressedAsync(unowned, _stopping.Token).ConfigureAwait(false));
        }
    }

    private async Task<IngestResult> ApplyMessageAsync(WriteBatch batch, CdpMessage message)
    {
        var messageId = message.MessageId ?? ProfileIdGenerator.Create(batch.Now, _lastSequence + 1).ToString();
        if (batch.KnownMessageIds.Contains(messageId) || !batch.SeenMessageIds.Add(messageId))
        {
            return new IngestResult(messageId, Guid.Empty, Duplicate: true, Suppressed: false);
        }

        var own = IdentifierRules.Extract(message);
        var aliasTargets = message.Kind == MessageKind.Alias ? IdentifierRules.AliasTargets(message) : [];
        if (batch.Suppressed.Count > 0 && own.Concat(aliasTargets).Any(batch.Suppressed.Contains))
        {
            return new IngestResult(messageId, Guid.Empty, Duplicate: false, Suppressed: true);
        }

        // One identifier that a profile owns (a track of a known user): resolution can only choose that
        // profile and attach nothing, so the resolver is skipped.
        var working = own.Count == 1 && aliasTargets.Count == 0 && await OwnerOfAsync(batch, own[0]).ConfigureAwait(false) is { } known
            ? await GetWorkingAsync(batch, known).ConfigureAwait(false)
            : await ResolveWorkingAsync(batch, own, aliasTargets, messageId).ConfigureAwait(false);

        var (time, original) = EventTime.Resolve(message.Timestamp, message.SentAt, batch.Now);
        var receivedAt = EventTime.TruncateToMilliseconds(batch.Now);
        var (name, properties) = StoredShape(message);
        var stored = new StoredEvent(++_lastSequence, messageId, working.Id, message.Kind, name, time, receivedAt, original,
            properties.ToJson(), message.Kind is MessageKind.Identify or MessageKind.Group && !message.Traits.IsNull ? message.Traits.ToJson() : null);
        batch.Transaction.Events.Add(stored);
        batch.Transaction.MessageIds.Add((messageId, receivedAt));
        working.Pending.Add(stored);
        if (message.Kind == MessageKind.Identify)
        {
            var before = working.Properties;
            working.Properties = working.Properties.Apply(message.Traits, time, stored.Sequence);
            working.NeedsRebuild |= !ReferenceEquals(before, working.Properties) && working.Live.FiltersReadProfile;
        }

        working.Live.Add(message.Kind, name, time, properties, working.Properties.AsValue);
        return new IngestResult(messageId, working.Id, Duplicate: false, Suppressed: false) { Sequence = stored.Sequence };
    }

    /// <summary>Resolves the message's identifiers (SEMANTICS.md §2): the profile it goes to, created, merged or attached to.</summary>
    private async Task<Working> ResolveWorkingAsync(WriteBatch batch, IReadOnlyList<Identifier> own, IReadOnlyList<Identifier> aliasTargets, string messageId)
    {
        // Highest priority first: the user id, then the email, then anonymous ids; an alias's previous id last.
        var candidates = own.OrderBy(i => i.Kind switch { IdentifierKind.UserId => 0, IdentifierKind.EmailHash => 1, _ => 2 }).ToList();
        if (aliasTargets.Count > 0)
        {
            var owned = new List<Identifier>();
            foreach (var target in aliasTargets)
            {
                if (await OwnerOfAsync(batch, target).ConfigureAwait(false) is not null)
                {
                    owned.Add(target);
                }
            }

            candidates.AddRange(owned.Count > 0 ? owned : aliasTargets.Where(t => t.Kind == IdentifierKind.AnonymousId));
        }

        var userIdentifier = candidates.FirstOrDefault(i => i.Kind == IdentifierKind.UserId && own.Contains(i));
        foreach (var candidate in candidates)
        {
            if (await OwnerOfAsync(batch, candidate).ConfigureAwait(false) is { } owner)
            {
                await GetWorkingAsync(batch, owner).ConfigureAwait(false);
            }
        }

        var resolution = IdentityResolver.Resolve(
            candidates,
            droppable: i => !i.Equals(userIdentifier),
            ownerOf: i => batch.Owners.TryGetValue(i, out var o) ? o : _owners.TryGetValue(i, out var cached) ? Follow(batch, cached) : null,
            factsOf: id => batch.Profiles[id].Facts,
            newProfileId: () => ProfileIdGenerator.Create(batch.Now, _lastSequence + 1)); // the sequence this message is about to get

        var working = resolution.Created
            ? await CreateWorkingAsync(batch, resolution.ProfileId).ConfigureAwait(false)
            : batch.Profiles[resolution.ProfileId];
        foreach (var absorbed in resolution.Absorbed)
        {
            await MergeAsync(batch, working, batch.Profiles[absorbed], messageId).ConfigureAwait(false);
        }

        foreach (var identifier in resolution.Attach)
        {
            if (!working.Identifiers.Contains(identifier))
            {
                working.Identifiers.Add(identifier);
            }

            batch.Owners[identifier] = working.Id;
            batch.Transaction.Identifiers.Add((identifier, working.Id));
        }

        return working;
    }

    /// <summary>The stored name and properties of a message (page and screen names go into the properties).</summary>
    internal static (string Name, Value Properties) StoredShape(CdpMessage message)
    {
        var properties = message.Properties.Kind == ValueKind.Object ? message.Properties : Value.Object([]);
        Value With(params (string Key, string? Value)[] extra)
        {
            var added = extra.Where(e => e.Value is not null && !properties.Properties!.ContainsKey(e.Key)).ToList();
            return added.Count == 0
                ? properties
                : Value.Object(properties.Properties!.Concat(added.Select(e => KeyValuePair.Create(e.Key, Value.String(e.Value)))));
        }

        return message.Kind switch
        {
            MessageKind.Track => (message.Event!, properties),
            MessageKind.Page => ("$page", With(("name", message.Event), ("category", message.Category))),
            MessageKind.Screen => ("$screen", With(("name", message.Event))),
            MessageKind.Group => ("$group", With(("groupId", message.GroupId))),
            MessageKind.Alias => ("$alias", With(("previousId", message.PreviousId))),
            _ => ("$identify", properties),
        };
    }

    private async Task<Guid?> OwnerOfAsync(WriteBatch batch, Identifier identifier)
    {
        if (batch.Owners.TryGetValue(identifier, out var owner))
        {
            return owner;
        }

        if (_owners.TryGetValue(identifier, out var cached))
        {
            return Follow(batch, cached);
        }

        var found = await _store.FindProfilesAsync([identifier], _stopping.Token).ConfigureAwait(false);
        if (found.TryGetValue(identifier, out var stored))
        {
            stored = Follow(batch, stored);
            batch.Owners[identifier] = stored;
            return stored;
        }

        return null;
    }

    private static Guid Follow(WriteBatch batch, Guid profileId)
    {
        while (batch.MergedInto.TryGetValue(profileId, out var survivor))
        {
            profileId = survivor;
        }

        return profileId;
    }

    /// <summary>The working copy of a profile for this batch, loaded (and gated) on first use.</summary>
    private async Task<Working> GetWorkingAsync(WriteBatch batch, Guid profileId)
    {
        if (batch.Profiles.TryGetValue(profileId, out var existing))
        {
            return existing;
        }

        if (InFlightBasis(batch) is { } basis && basis.Profiles.TryGetValue(profileId, out var previous))
        {
            if (!previous.Retired && previous.Published is { } published && previous.Handovers < MaxHandovers)
            {
                // Written by the commit in flight: continue from its state, keeping its gate (the
                // published snapshot stays the committed one until this group's own publish).
                basis.Gated.Remove(previous.Entry);
                batch.Gated.Add(previous.Entry);
                var continued = new Working(previous.Entry, isNew: false, previous.CreatedAt, [.. previous.Identifiers], previous.Properties,
                    previous.Live, published.Memberships, published.Version, previous.StoredTraits) { Handovers = previous.Handovers + 1 };
                batch.Profiles.Add(profileId, continued);
                return continued;
            }

            // Its gate is held until the commit in flight ends (and a waiting reader gets its turn).
            await DrainOrThrowAsync().ConfigureAwait(false);
        }

        var entry = await EnterAsync(profileId, _stopping.Token).ConfigureAwait(false);
        batch.Gated.Add(entry);
        await EnsureLoadedAsync(entry, batch.Now, _stopping.Token).ConfigureAwait(false);
        var snapshot = entry.Snapshot!;
        var working = new Working(entry, isNew: snapshot.Version == 0 && snapshot.Id == Guid.Empty, snapshot.CreatedAt,
            [.. snapshot.Identifiers], snapshot.Properties, entry.Live!, snapshot.Memberships, snapshot.Version, entry.StoredTraits);
        batch.Profiles.Add(profileId, working);
        return working;
    }

    private async Task<Working> CreateWorkingAsync(WriteBatch batch, Guid profileId)
    {
        var entry = await EnterAsync(profileId, _stopping.Token).ConfigureAwait(false);
        batch.Gated.Add(entry);
        var working = new Working(entry, isNew: true, EventTime.TruncateToMilliseconds(batch.Now), [], ProfileProperties.Empty,
            new ProfileAggregates(Catalog, _options.TimeZone), ImmutableDictionary<string, StoredMembership>.Empty, 0, ImmutableDictionary<string, string>.Empty);
        batch.Profiles.Add(profileId, working);
        return working;
    }

    private async Task MergeAsync(WriteBatch batch, Working survivor, Working absorbed, string messageId)
    {
        foreach (var identifier in absorbed.Identifiers)
        {
            if (!survivor.Identifiers.Contains(identifier))
            {
                survivor.Identifiers.Add(identifier);
            }

            batch.Owners[identifier] = survivor.Id;
        }

        survivor.Properties = survivor.Properties.Merge(absorbed.Properties);

        // Messages and identifiers this batch already wrote for the absorbed profile move with it:
        // the store applies merges before identifiers and events, so they must name the survivor.
        var events = batch.Transaction.Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].ProfileId == absorbed.Id)
            {
                events[i] = events[i] with { ProfileId = survivor.Id };
            }
        }

        var attached = batch.Transaction.Identifiers;
        for (var i = 0; i < attached.Count; i++)
        {
            if (attached[i].ProfileId == absorbed.Id)
            {
                attached[i] = (attached[i].Identifier, survivor.Id);
            }
        }

        survivor.Pending.AddRange(absorbed.Pending.Select(e => e with { ProfileId = survivor.Id }));
        survivor.AbsorbedStored.Add(absorbed.Id);
        survivor.AbsorbedStored.AddRange(absorbed.AbsorbedStored);
        survivor.NeedsRebuild = true;
        survivor.Merged = true;

        // The absorbed profile leaves its segments; the survivor's are recomputed when the batch ends.
        foreach (var membership in absorbed.Memberships.Values.Where(m => m.InSegment))
        {
            batch.Transaction.Changes.Add(new StoredChange(0, absorbed.Id, absorbed.UserId, membership.Segment, false, batch.Now, ChangeCause.Merge));
        }

        absorbed.Retired = true;
        batch.MergedInto[absorbed.Id] = survivor.Id;
        batch.Transaction.Merges.Add(new StoredMerge(survivor.Id, absorbed.Id, EventTime.TruncateToMilliseconds(batch.Now), messageId));
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Recomputes what the batch changed, commits, and publishes the new snapshots (serially: re-evaluations).</summary>
    private async Task CommitAsync(WriteBatch batch)
    {
        var published = await PrepareCommitAsync(batch).ConfigureAwait(false);
        var cursors = await CommitToStoreAsync(batch.Transaction).ConfigureAwait(false);
        Publish(batch, published, cursors);
    }

    /// <summary>
    /// Recomputes memberships and trait values of the profiles the batch touched and fills its
    /// transaction; returns the snapshots to publish once it is committed.
    /// </summary>
    private async Task<List<(Working Working, ProfileSnapshot Snapshot)>> PrepareCommitAsync(WriteBatch batch)
    {
        var catalog = Catalog;
        var transaction = batch.Transaction;
        var published = new List<(Working Working, ProfileSnapshot Snapshot)>();
        foreach (var working in batch.Profiles.Values)
        {
            // The profile row changes only when the profile is new, its properties changed or it took part in a merge.
            var rowChanged = working.IsNew || working.Merged || working.Retired || !ReferenceEquals(working.Properties, working.InitialProperties);
            var version = rowChanged ? working.Version + 1 : working.Version;
            if (rowChanged)
            {
                transaction.Profiles.Add(new StoredProfile(working.Id, working.CreatedAt, working.Properties.ToPropertiesJson(),
                    working.Properties.ToTimesJson(), null, version));
            }

            if (working.Retired)
            {
                continue;
            }

            if (working.NeedsRebuild || working.Live.Catalog != catalog)
            {
                working.Live = await RebuildAsync(working, catalog).ConfigureAwait(false);
            }

            var at = batch.EvaluateAt ?? batch.Now;
            var values = working.Live.Evaluate(at);
            var snapshot = new ProfileSnapshot(working.Id, working.CreatedAt, [.. working.Identifiers], working.Properties, catalog, values,
                working.Memberships, version);
            var context = ProfileEvaluationContext.Create(snapshot, at);
            var memberships = working.Memberships;
            foreach (var segment in catalog.Segments)
            {
                var inSegment = context.GetSegment(segment.Slot);
                var before = memberships.GetValueOrDefault(segment.Key);
                if (before is null && !inSegment)
                {
                    continue;
                }

                var changed = before is null || before.InSegment != inSegment;
                if (!changed && batch.Cause == ChangeCause.Event)
                {
                    // Unchanged: no row to write on the ingest path (backfill and the timer refresh updatedAt).
                    continue;
                }

                var row = new StoredMembership(working.Id, segment.Key, inSegment, changed ? at : before!.Since, at);
                memberships = memberships.SetItem(segment.Key, row);
                transaction.Memberships.Add(row);
                if (changed)
                {
                    var cause = working.Merged && batch.Cause == ChangeCause.Event ? ChangeCause.Merge : batch.Cause;
                    transaction.Changes.Add(new StoredChange(0, working.Id, snapshot.UserId, segment.Key, inSegment, at, cause));
                }
            }

            var traits = working.StoredTraits;
            foreach (var trait in catalog.Traits)
            {
                var json = context.GetTrait(trait.Slot).ToJson();
                if (!traits.TryGetValue(trait.Key, out var storedJson) || storedJson != json)
                {
                    traits = traits.SetItem(trait.Key, json);
                    transaction.TraitValues.Add(new StoredTraitValue(working.Id, trait.Key, json, at));
                }
            }

            working.StoredTraits = traits;
            working.Published = snapshot with { Memberships = memberships };
            published.Add((working, working.Published));
        }

        if (batch.Now - _lastForget > TimeSpan.FromMinutes(10))
        {
            transaction.ForgetMessageIdsBefore = batch.Now - _options.DedupeWindow;
        }

        return published;
    }

    /// <summary>After the batch's commit: readers see the new snapshots from here on.</summary>
    private void Publish(WriteBatch batch, List<(Working Working, ProfileSnapshot Snapshot)> published, IReadOnlyList<long> cursors)
    {
        var transaction = batch.Transaction;
        if (transaction.ForgetMessageIdsBefore is not null)
        {
            _lastForget = batch.Now;
        }

        // Committed: publish. Readers see the new snapshots from here on.
        foreach (var (working, snapshot) in published)
        {
            working.Live.Compact(batch.Now - CompactionMargin);
            working.Entry.Live = working.Live;
            working.Entry.StoredTraits = working.StoredTraits;
            working.Entry.Snapshot = snapshot;
            working.Entry.LastUsed = batch.Now.UtcTicks;
            foreach (var identifier in working.Identifiers)
            {
                // Most are unchanged: a write would allocate a node for nothing.
                if (!_owners.TryGetValue(identifier, out var owner) || owner != working.Id)
                {
                    _owners[identifier] = working.Id;
                }
            }

            ScheduleMembershipCheck(snapshot, batch.EvaluateAt ?? batch.Now);
        }

        foreach (var working in batch.Profiles.Values.Where(w => w.Retired))
        {
            working.Entry.Retired = true;
            working.Entry.Snapshot = null;
            working.Entry.Live = null;
            _profiles.TryRemove(KeyValuePair.Create(working.Id, working.Entry));
            foreach (var identifier in working.Identifiers)
            {
                if (batch.Deleted.Contains(working.Id))
                {
                    _owners.TryRemove(KeyValuePair.Create(identifier, working.Id));
                }
            }
        }

        if (cursors.Count > 0)
        {
            SignalChanges();
        }
    }

    /// <summary>A failed commit: forget everything the batch touched so the next reader reloads committed state.</summary>
    private void Abort(WriteBatch batch)
    {
        foreach (var working in batch.Profiles.Values)
        {
            working.Entry.Live = null;
            working.Entry.Snapshot = null;
            _profiles.TryRemove(KeyValuePair.Create(working.Id, working.Entry));
            foreach (var identifier in working.Identifiers)
            {
                _owners.TryRemove(KeyValuePair.Create(identifier, working.Id));
            }
        }
    }

    /// <summary>Rebuilds a profile's aggregators from its stored messages, those of profiles it absorbed, and this batch's.</summary>
    private async Task<ProfileAggregates> RebuildAsync(Working working, Definitions.CatalogSnapshot catalog)
    {
        // The stored history must include what the commit in flight writes (events moved by its merges).
        await DrainOrThrowAsync().ConfigureAwait(false);
        var events = new List<StoredEvent>();
        if (!working.IsNew)
        {
            events.AddRange(await _store.GetEventsAsync(working.Id, _stopping.Token).ConfigureAwait(false));
        }

        foreach (var absorbed in working.AbsorbedStored)
        {
            events.AddRange(await _store.GetEventsAsync(absorbed, _stopping.Token).ConfigureAwait(false));
        }

        events.AddRange(working.Pending);
        return Replay(events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence), catalog, working.Properties, DateTimeOffset.MaxValue);
    }

    /// <summary>
    /// Feeds stored messages with event time ≤ <paramref name="until"/> to fresh aggregators. With a
    /// <paramref name="horizon"/>, the aggregators are compacted to it first, so messages too old for
    /// every aggregate they match are skipped unparsed (the result is the same as compacting after).
    /// </summary>
    private ProfileAggregates Replay(IEnumerable<StoredEvent> events, Definitions.CatalogSnapshot catalog, ProfileProperties properties, DateTimeOffset until,
        DateTimeOffset? horizon = null)
    {
        var aggregates = new ProfileAggregates(catalog, _options.TimeZone);
        if (horizon is { } compactTo)
        {
            aggregates.Compact(compactTo);
        }

        var profile = properties.AsValue;
        foreach (var e in events)
        {
            if (e.Timestamp <= until && aggregates.Accepts(e.Kind, e.Name, e.Timestamp, out var readsProperties))
            {
                aggregates.Add(e.Kind, e.Name, e.Timestamp, readsProperties ? Value.ParseJson(e.PropertiesJson) : Value.Null, profile);
            }
        }

        return aggregates;
    }

    private void EvictIfNeeded()
    {
        var capacity = _options.ProfileCacheCapacity;
        if (_profiles.Count <= capacity + (capacity / 10))
        {
            return;
        }

        foreach (var (id, entry) in _profiles.OrderBy(p => p.Value.LastUsed).Take(_profiles.Count - capacity).ToList())
        {
            if (entry.Gate.CurrentCount == 1 && _profiles.TryRemove(KeyValuePair.Create(id, entry)))
            {
                foreach (var identifier in entry.Snapshot?.Identifiers ?? [])
                {
                    _owners.TryRemove(KeyValuePair.Create(identifier, id));
                }
            }
        }
    }

    /// <summary>What one group commit is changing; the gates of every profile it touches are held until it ends.</summary>
    private sealed class WriteBatch(DateTimeOffset now, ChangeCause cause)
    {
        public DateTimeOffset Now { get; } = now;

        public ChangeCause Cause { get; } = cause;

        /// <summary>For re-evaluations at a past instant (the timer).</summary>
        public DateTimeOffset? EvaluateAt { get; init; }

        public StoreTransaction Transaction { get; } = new();

        public Dictionary<Guid, Working> Profiles { get; } = [];

        public Dictionary<Identifier, Guid> Owners { get; } = [];

        public Dictionary<Guid, Guid> MergedInto { get; } = [];

        public HashSet<Guid> Deleted { get; } = [];

        public HashSet<string> KnownMessageIds { get; } = new(StringComparer.Ordinal);

        public HashSet<string> SeenMessageIds { get; } = new(StringComparer.Ordinal);

        public HashSet<Identifier> Suppressed { get; } = [];

        public HashSet<ProfileEntry> Gated { get; } = [];

        /// <summary>The batch whose commit was in flight when this one started (its state is this one's basis).</summary>
        public WriteBatch? Basis { get; set; }

        /// <summary>
        /// What the store may not show yet of the basis's uncommitted writes: who owns its profiles'
        /// identifiers, its merges, the message ids it remembers. Only the basis's own (its basis was
        /// committed and published before its commit started).
        /// </summary>
        public void InheritFrom(WriteBatch? basis)
        {
            if (basis is null)
            {
                return;
            }

            foreach (var working in basis.Profiles.Values)
            {
                if (!working.Retired)
                {
                    foreach (var identifier in working.Identifiers)
                    {
                        Owners[identifier] = working.Id;
                    }
                }
            }

            foreach (var merge in basis.Transaction.Merges)
            {
                MergedInto[merge.Absorbed] = merge.Survivor;
            }

            foreach (var (messageId, _) in basis.Transaction.MessageIds)
            {
                KnownMessageIds.Add(messageId);
            }
        }

        public void ReleaseGates()
        {
            foreach (var entry in Gated)
            {
                entry.Gate.Release();
            }

            Gated.Clear();
        }
    }

    /// <summary>A profile being changed by a batch.</summary>
    private sealed class Working(ProfileEntry entry, bool isNew, DateTimeOffset createdAt, List<Identifier> identifiers,
        ProfileProperties properties, ProfileAggregates live, ImmutableDictionary<string, StoredMembership> memberships, long version,
        ImmutableDictionary<string, string> storedTraits)
    {
        public ProfileEntry Entry { get; } = entry;

        public Guid Id => Entry.Id;

        public bool IsNew { get; } = isNew;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public List<Identifier> Identifiers { get; } = identifiers;

        public ProfileProperties Properties { get; set; } = properties;

        /// <summary>The properties the batch started from (the row is rewritten when they change).</summary>
        public ProfileProperties InitialProperties { get; } = properties;

        /// <summary>The snapshot to publish after the commit (set when the commit is prepared).</summary>
        public ProfileSnapshot? Published { get; set; }

        /// <summary>How many consecutive batches before this one held the profile's gate without releasing it.</summary>
        public int Handovers { get; init; }

        public ProfileAggregates Live { get; set; } = live;

        public ImmutableDictionary<string, StoredMembership> Memberships { get; } = memberships;

        public long Version { get; } = version;

        public ImmutableDictionary<string, string> StoredTraits { get; set; } = storedTraits;

        public List<StoredEvent> Pending { get; } = [];

        public List<Guid> AbsorbedStored { get; } = [];

        public bool NeedsRebuild { get; set; }

        public bool Merged { get; set; }

        public bool Retired { get; set; }

        public string? UserId => Identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value;

        public IdentityResolver.ProfileFacts Facts => new(CreatedAt, UserId);
    }

    /// <summary>The basis of the batch while its commit is still in flight; null once it ended.</summary>
    private WriteBatch? InFlightBasis(WriteBatch batch) =>
        batch.Basis is { } basis && ReferenceEquals(_inFlight?.Batch, basis) ? basis : null;

    /// <summary>Waits for the commit in flight; throws when it failed (what was computed on top of it must be computed again).</summary>
    private async Task DrainOrThrowAsync()
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

    /// <summary>A computed group whose commit runs.</summary>
    private sealed class InFlightGroup(WriteBatch batch, IngestOperation[] operations, List<IngestResult>[] results,
        List<(Working Working, ProfileSnapshot Snapshot)> published, long started)
    {
        public WriteBatch Batch { get; } = batch;

        public IngestOperation[] Operations { get; } = operations;

        public List<IngestResult>[] Results { get; } = results;

        public List<(Working Working, ProfileSnapshot Snapshot)> Published { get; } = published;

        /// <summary>When computing the group began (for the commit duration metric).</summary>
        public long Started { get; } = started;

        public Task<IReadOnlyList<long>> Commit { get; set; } = Task.FromResult<IReadOnlyList<long>>([]);
    }

    /// <summary>The commit a batch was computed on top of failed: the batch is computed again from the store.</summary>
    private sealed class PredecessorFailedException : Exception
    {
        public PredecessorFailedException()
            : base("The commit this batch was computed on top of failed.")
        {
        }
    }
}
