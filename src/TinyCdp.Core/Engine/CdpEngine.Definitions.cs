using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>Definition changes, profile deletion, re-evaluation and the backfill.</summary>
internal sealed partial class CdpEngine
{
    private BackfillStatus _backfill = new("idle", 0, 0, 0);
    private Task _backfillTask = Task.CompletedTask;
    private CancellationTokenSource? _backfillCancellation;

    // What the writer committed, so that profiles the backfill read ahead are read again when a commit
    // touched them after that read. _commitEpoch counts commits (incremented after each one ends,
    // whether it succeeded or not); while a backfill runs, _committed holds, for each profile a commit
    // numbered above _committedFloor touched, the number of the last such commit. A read ahead taken at
    // epoch e (read before the store read) is usable iff e >= _committedFloor, and then exactly the
    // profiles with a number above e may have changed since. Writer only, except _commitEpoch.
    private long _commitEpoch;
    private readonly Dictionary<Guid, long> _committed = [];
    private long _committedFloor = long.MaxValue;

    public BackfillStatus Backfill => Volatile.Read(ref _backfill);

    public Task<DefinitionResult> SaveTraitAsync(TraitDefinition trait, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trait);
        return ChangeDefinitionAsync(new DefinitionOperation(DefinitionKind.Trait, trait.Key, DefinitionJson.Write(trait), mode, actor), cancellationToken);
    }

    public Task<DefinitionResult> SaveSegmentAsync(SegmentDefinition segment, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return ChangeDefinitionAsync(new DefinitionOperation(DefinitionKind.Segment, segment.Key, DefinitionJson.Write(segment), mode, actor), cancellationToken);
    }

    public Task<DefinitionResult> SaveFlagAsync(FlagDefinition flag, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return ChangeDefinitionAsync(new DefinitionOperation(DefinitionKind.Flag, flag.Key, DefinitionJson.Write(flag), mode, actor), cancellationToken);
    }

    public Task<DefinitionResult> DeleteAsync(DefinitionKind kind, string key, string? actor = null, CancellationToken cancellationToken = default) =>
        ChangeDefinitionAsync(new DefinitionOperation(kind, key, null, SaveMode.Update, actor), cancellationToken);

    public async Task<IReadOnlyList<StoredDefinitionChange>> GetHistoryAsync(DefinitionKind? kind = null, string? key = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.GetDefinitionHistoryAsync(kind, key, Math.Clamp(limit, 1, 10_000), cancellationToken).ConfigureAwait(false);
    }

    public Task WaitForBackfillAsync(CancellationToken cancellationToken = default) => Volatile.Read(ref _backfillTask).WaitAsync(cancellationToken);

    public async Task<bool> DeleteProfileAsync(ProfileReference user, bool suppressIdentifiers = false, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (await ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return false;
        }

        var operation = new DeleteOperation(profileId, suppressIdentifiers);
        Enqueue(operation);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DefinitionResult> ChangeDefinitionAsync(DefinitionOperation operation, CancellationToken cancellationToken)
    {
        await EnqueueStartedAsync(operation, cancellationToken).ConfigureAwait(false);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>In the writer: compile the catalog with the change; commit it; swap it in; start the backfill.</summary>
    private async Task<DefinitionResult> ApplyDefinitionAsync(DefinitionOperation operation)
    {
        var catalog = Catalog;
        var kindName = operation.Kind.ToString().ToLowerInvariant();
        var definitions = catalog.Definitions;
        var exists = operation.Kind switch
        {
            DefinitionKind.Trait => catalog.FindTrait(operation.Key) is not null,
            DefinitionKind.Segment => catalog.FindSegment(operation.Key) is not null,
            _ => catalog.FindFlag(operation.Key) is not null,
        };
        DefinitionResult Refuse(TinyCdpErrorCode code, string message) =>
            new(new DefinitionError(operation.Kind, operation.Key, "key", message), code, catalog.Version);

        if (operation.BodyJson is null)
        {
            if (!exists)
            {
                return Refuse(TinyCdpErrorCode.NotFound, $"{kindName} '{operation.Key}' not found");
            }

            var dependents = operation.Kind == DefinitionKind.Flag ? [] : catalog.DependentsOf(operation.Kind, operation.Key);
            if (dependents.Count > 0)
            {
                return new DefinitionResult(
                    new DefinitionError(operation.Kind, operation.Key, "key", $"{kindName} '{operation.Key}' is used by {string.Join(", ", dependents)}") { Dependents = dependents },
                    TinyCdpErrorCode.Conflict, catalog.Version);
            }
        }
        else if (operation.Mode == SaveMode.Create && exists)
        {
            return Refuse(TinyCdpErrorCode.AlreadyExists, $"{kindName} '{operation.Key}' already exists");
        }
        else if (operation.Mode == SaveMode.Update && !exists)
        {
            return Refuse(TinyCdpErrorCode.NotFound, $"{kindName} '{operation.Key}' not found");
        }

        var changed = Replace(definitions, operation);
        var version = catalog.Version + 1;
        if (!CatalogCompiler.TryCompile(changed, version, _options.Retention, out var compiled, out var error))
        {
            return new DefinitionResult(error, TinyCdpErrorCode.InvalidArgument, catalog.Version);
        }

        var now = _time.GetUtcNow();
        var before = Body(catalog, operation.Kind, operation.Key);
        var transaction = new StoreTransaction { CatalogVersion = version };
        if (operation.BodyJson is null)
        {
            transaction.DeletedDefinitions.Add((operation.Kind, operation.Key));
        }
        else
        {
            var created = (await _store.GetDefinitionsAsync(_stopping.Token).ConfigureAwait(false)).Definitions
                .FirstOrDefault(d => d.Kind == operation.Kind && d.Key == operation.Key)?.CreatedAt ?? now;
            transaction.Definitions.Add(new StoredDefinition(operation.Kind, operation.Key, operation.BodyJson, version, created, now));
        }

        transaction.DefinitionChanges.Add(new StoredDefinitionChange(version, operation.Kind, operation.Key, operation.Actor, now, before, operation.BodyJson));
        await CommitToStoreAsync(transaction).ConfigureAwait(false);
        Volatile.Write(ref _catalog, compiled);
        Log.CatalogChanged(_logger, version, $"{(operation.BodyJson is null ? "deleted" : "saved")} {kindName} {operation.Key}");
        if (operation.Kind != DefinitionKind.Flag)
        {
            StartBackfill(compiled);
        }

        return new DefinitionResult(null, null, version);
    }

    private static CatalogDefinitions Replace(CatalogDefinitions definitions, DefinitionOperation operation)
    {
        var key = operation.Key;
        var body = operation.BodyJson;
        return operation.Kind switch
        {
            DefinitionKind.Trait => definitions with
            {
                Traits = [.. definitions.Traits.Where(t => t.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadTrait(body) }],
            },
            DefinitionKind.Segment => definitions with
            {
                Segments = [.. definitions.Segments.Where(s => s.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadSegment(body) }],
            },
            _ => definitions with
            {
                Flags = [.. definitions.Flags.Where(f => f.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadFlag(body) }],
            },
        };
    }

    private static string? Body(CatalogSnapshot catalog, DefinitionKind kind, string key) => kind switch
    {
        DefinitionKind.Trait => catalog.FindTrait(key) is { } t ? DefinitionJson.Write(t.Definition) : null,
        DefinitionKind.Segment => catalog.FindSegment(key) is { } s ? DefinitionJson.Write(s.Definition) : null,
        _ => catalog.FindFlag(key) is { } f ? DefinitionJson.Write(f.Definition) : null,
    };

    /// <summary>
    /// Brings every stored profile's memberships and trait values up to the new catalog, page by page,
    /// through the writer. Off the writer, each page's ids are listed and (unless other nodes share the
    /// store) its profiles read in one batched read, the next page while the writer works on this one.
    /// </summary>
    private void StartBackfill(CatalogSnapshot catalog)
    {
        _backfillCancellation?.Cancel();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _backfillCancellation = cancellation;
        Volatile.Write(ref _backfill, new BackfillStatus("running", 0, 0, catalog.Version));
        TrackCommits();
        var task = Task.Run(async () =>
        {
            long done = 0;
            try
            {
                var total = await _store.CountProfilesAsync(cancellation.Token).ConfigureAwait(false);
                Volatile.Write(ref _backfill, new BackfillStatus("running", 0, total, catalog.Version));
                var page = await ReadBackfillPageAsync(null, cancellation.Token).ConfigureAwait(false);
                while (page is not null && !cancellation.IsCancellationRequested)
                {
                    var operation = new ReevaluateOperation(page.Ids, null, ChangeCause.Definition) { Prefetched = page.Prefetched };
                    Enqueue(operation);
                    var next = ReadBackfillPageAsync(page.Ids[^1], cancellation.Token);
                    await Task.WhenAll(operation.Completion.Task.WaitAsync(cancellation.Token), next).ConfigureAwait(false);
                    done += page.Ids.Count;
                    Volatile.Write(ref _backfill, new BackfillStatus("running", done, Math.Max(total, done), catalog.Version));
                    page = await next.ConfigureAwait(false);
                }

                if (!cancellation.IsCancellationRequested)
                {
                    Volatile.Write(ref _backfill, new BackfillStatus("done", done, done, catalog.Version));
                    Log.BackfillDone(_logger, catalog.Version, done);
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // A newer catalog's backfill took over, or the engine is stopping.
            }
            catch (Exception exception)
            {
                Log.BackfillFailed(_logger, exception, catalog.Version, done);
                Volatile.Write(ref _backfill, new BackfillStatus("failed", done, Backfill.Total, catalog.Version));
            }
        });
        Volatile.Write(ref _backfillTask, task);
    }

    /// <summary>One page of the backfill: the next live profile ids and, on a store no other node writes, their stored states.</summary>
    private async Task<BackfillPage?> ReadBackfillPageAsync(Guid? after, CancellationToken cancellationToken)
    {
        var ids = await _store.ListProfileIdsAsync(after, _options.BackfillBatchSize, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return null;
        }

        if (_shared is not null)
        {
            // Other nodes commit without this writer knowing: the page is read inside the write turn.
            return new BackfillPage(ids, null);
        }

        // The commit count first: whatever the writer commits from here on may be missing from the read.
        var epoch = Interlocked.Read(ref _commitEpoch);
        var states = await _store.LoadProfileStatesAsync(ids, cancellationToken).ConfigureAwait(false);

        // Replayed here too, so the writer only evaluates and commits (and the messages are garbage at once).
        var catalog = Catalog;
        var horizon = _time.GetUtcNow() - CompactionMargin;
        var prepared = new Dictionary<Guid, PreparedProfile>(states.Count);
        foreach (var (id, state) in states)
        {
            if (state.Profile.MergedInto is null)
            {
                prepared[id] = Prepare(state, catalog, horizon);
            }
        }

        return new BackfillPage(ids, new Prefetch(epoch, prepared));
    }

    private sealed record BackfillPage(IReadOnlyList<Guid> Ids, Prefetch? Prefetched);

    /// <summary>
    /// In the writer: re-evaluates profiles (timer or backfill) and commits what changed. The profiles
    /// not in memory are read in one batched read, or taken from what the backfill read ahead when no
    /// commit touched them since. A backfill leaves the profiles it loaded out of the cache.
    /// </summary>
    private async Task ReevaluateAsync(ReevaluateOperation operation)
    {
        var now = _time.GetUtcNow();

        // A time-driven change is recorded at the instant it happened, unless that is older than the live state keeps.
        var at = operation.At is { } due && due >= now - CompactionMargin && due <= now ? due : now;
        var batch = new WriteBatch(now, operation.Cause) { EvaluateAt = at };
        var loaded = new List<ProfileEntry>();
        try
        {
            var entries = new List<ProfileEntry>(operation.ProfileIds.Count);
            foreach (var profileId in operation.ProfileIds)
            {
                var entry = await EnterAsync(profileId, _stopping.Token).ConfigureAwait(false);
                batch.Gated.Add(entry);
                if (!entry.Retired)
                {
                    entries.Add(entry);
                }
            }

            var prefetched = UsablePrefetch(operation.Prefetched);
            var catalog = Catalog;
            var horizon = now - CompactionMargin;

            // Read now: what the backfill did not read ahead, or read before a commit touched it, or prepared for another catalog.
            var stale = entries
                .Where(entry => !IsCurrent(entry) && !(prefetched is { } p && !CommittedSince(entry.Id, p.CommitEpoch) &&
                    (!p.Profiles.TryGetValue(entry.Id, out var ready) || (ready.Catalog == catalog && ready.Horizon <= horizon))))
                .Select(entry => entry.Id)
                .ToHashSet();
            var read = stale.Count == 0
                ? null
                : await _store.LoadProfileStatesAsync(stale, _stopping.Token).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                if (!IsCurrent(entry))
                {
                    var wasCached = entry.Snapshot is not null;
                    var installed = stale.Contains(entry.Id)
                        ? Install(entry, read?.GetValueOrDefault(entry.Id), catalog, now)
                        : prefetched!.Profiles.TryGetValue(entry.Id, out var ready) && Install(entry, ready, now);
                    if (!installed)
                    {
                        continue;
                    }

                    if (!wasCached)
                    {
                        loaded.Add(entry);
                    }
                }

                var snapshot = entry.Snapshot!;
                batch.Profiles.Add(entry.Id, new Working(entry, isNew: false, snapshot.CreatedAt, [.. snapshot.Identifiers], snapshot.Properties,
                    entry.Live!, snapshot.Memberships, snapshot.Version, entry.StoredTraits));
            }

            if (batch.Profiles.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }

            if (operation.Cause == ChangeCause.Definition)
            {
                // Cold profiles stay cold: a backfill over every profile must not push the hot ones out of the cache.
                foreach (var entry in loaded)
                {
                    Forget(entry);
                }
            }
        }
        catch
        {
            Abort(batch);
            throw;
        }
        finally
        {
            batch.ReleaseGates();
        }
    }

    /// <summary>In the writer, when a backfill starts: record which profiles commits touch from now on.</summary>
    private void TrackCommits()
    {
        if (_committedFloor == long.MaxValue)
        {
            _committedFloor = Interlocked.Read(ref _commitEpoch);
        }
    }

    /// <summary>In the writer, after every commit (succeeded or not): counts it and, while a backfill runs, notes the profiles it touched.</summary>
    private void NoteCommitted(StoreTransaction transaction)
    {
        var epoch = Interlocked.Increment(ref _commitEpoch);
        if (_committedFloor == long.MaxValue)
        {
            return;
        }

        if (Volatile.Read(ref _backfillTask).IsCompleted)
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
    /// In the writer: a backfill's read-ahead when it can still be trusted (see <see cref="_commitEpoch"/>);
    /// forgets the commits no later read-ahead needs.
    /// </summary>
    private Prefetch? UsablePrefetch(Prefetch? prefetched)
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
    private bool CommittedSince(Guid profileId, long epoch) => _committed.TryGetValue(profileId, out var last) && last > epoch;

    /// <summary>Drops a cached profile (caller holds the gate), as eviction does: the next use loads it again.</summary>
    private void Forget(ProfileEntry entry)
    {
        if (_profiles.TryRemove(KeyValuePair.Create(entry.Id, entry)))
        {
            foreach (var identifier in entry.Snapshot?.Identifiers ?? [])
            {
                _owners.TryRemove(KeyValuePair.Create(identifier, entry.Id));
            }
        }
    }

    /// <summary>In the writer: deletes a profile with everything it owns; its memberships end with cause delete.</summary>
    private async Task<bool> DeleteProfileInWriterAsync(DeleteOperation operation)
    {
        var now = _time.GetUtcNow();
        var batch = new WriteBatch(now, ChangeCause.Delete);
        try
        {
            var entry = await EnterAsync(operation.ProfileId, _stopping.Token).ConfigureAwait(false);
            batch.Gated.Add(entry);
            if (entry.Retired || !await EnsureLoadedAsync(entry, now, _stopping.Token).ConfigureAwait(false))
            {
                return false;
            }

            var snapshot = entry.Snapshot!;
            var transaction = batch.Transaction;
            foreach (var membership in snapshot.Memberships.Values.Where(m => m.InSegment))
            {
                transaction.Changes.Add(new StoredChange(0, snapshot.Id, snapshot.UserId, membership.Segment, false, now, ChangeCause.Delete));
            }

            transaction.DeletedProfiles.Add(snapshot.Id);
            if (operation.Suppress)
            {
                transaction.Suppressions.AddRange(snapshot.Identifiers);
            }

            var cursors = await CommitToStoreAsync(transaction).ConfigureAwait(false);
            entry.Retired = true;
            entry.Snapshot = null;
            entry.Live = null;
            _profiles.TryRemove(KeyValuePair.Create(snapshot.Id, entry));
            foreach (var identifier in snapshot.Identifiers)
            {
                _owners.TryRemove(KeyValuePair.Create(identifier, snapshot.Id));
            }

            if (cursors.Count > 0)
            {
                SignalChanges();
            }

            return true;
        }
        catch
        {
            Abort(batch);
            throw;
        }
        finally
        {
            batch.ReleaseGates();
        }
    }
}
