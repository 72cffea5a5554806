using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TinyCdp.Definitions;
using TinyCdp.Engine.Backfill;
using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Cluster;
using TinyCdp.Engine.Lifecycle;
using TinyCdp.Engine.Reading;
using TinyCdp.Engine.Timing;
using TinyCdp.Engine.Writing;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Keys;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// The engine behind <see cref="ITinyCdp"/>: a facade over its parts, each in its own folder —
/// the writer (<see cref="WriteLoop"/> and what it calls, <c>Writing/</c>), the profile cache
/// (<c>Cache/</c>), the reads (<c>Reading/</c>), the backfill (<c>Backfill/</c>), the membership timer
/// (<c>Timing/</c>), the catch-up with other nodes (<c>Cluster/</c>) and the start (<c>Lifecycle/</c>).
/// See docs/architecture.md.
/// </summary>
internal sealed partial class CdpEngine : ITinyCdp, IDefinitionsService, IApiKeyRecords, IEngineReadiness, IAsyncDisposable, IDisposable
{
    private readonly EngineContext _engine;
    private readonly StartGate _start;
    private readonly WriteQueue _queue = new();
    private readonly ProfileCache _cache;
    private readonly SnapshotReader _snapshots;
    private readonly ProfileQueries _queries;
    private readonly ProfileViews _views;
    private readonly ChangeFeed _changeFeed;
    private readonly DefinitionPreviews _previews;
    private readonly CatalogBackfill _backfill;
    private readonly MembershipTimer _timer;
    private readonly ClusterSync _cluster;
    private readonly WriteLoop _writeLoop;
    private Task _writer = Task.CompletedTask;
    private Task _timerLoop = Task.CompletedTask;
    private Task _listener = Task.CompletedTask;

    public CdpEngine(ICdpStore store, TinyCdpOptions options, TimeProvider? timeProvider = null, ILogger<CdpEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, "Invalid TinyCdp options: " + string.Join(" ", problems));
        }

        var engine = _engine = new EngineContext(store, options, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
        _start = new StartGate(engine.Time, engine.Logger, () => engine.IsStopping);
        _cache = new ProfileCache(options);
        var loader = new ProfileLoader(engine, _cache);
        _snapshots = new SnapshotReader(engine, _cache, loader);
        _queries = new ProfileQueries(engine, _cache, _snapshots);
        _views = new ProfileViews(engine, _snapshots);
        _changeFeed = new ChangeFeed(store);
        _previews = new DefinitionPreviews(engine, loader);
        _backfill = new CatalogBackfill(engine, _queue, loader);
        _timer = new MembershipTimer(engine, _queue);
        _cluster = new ClusterSync(engine, _cache);

        // The writer's parts, from the store outwards.
        var committer = new StoreCommitter(engine, _cluster, _backfill);
        var publisher = new SnapshotPublisher(engine, _cache, _timer, _changeFeed);
        var pipeline = new CommitPipeline(engine, _cluster, committer, publisher, _backfill);
        var workings = new WorkingProfiles(engine, _cache, loader, pipeline);
        var ingest = new MessageIngest(engine, _cache, workings, new BatchIdentity(engine, _cache, workings));
        var commit = new BatchCommit(engine, pipeline, committer, publisher);
        _writeLoop = new WriteLoop(engine, _queue, _cache, _cluster, pipeline, ingest, commit, publisher,
            new Reevaluation(engine, _cache, loader, _backfill, commit, publisher),
            new ProfileDeletion(engine, _cache, loader, committer, publisher, _changeFeed),
            new DefinitionChanges(engine, committer, _backfill),
            new ApiKeyChanges(engine, committer));
    }

    public IDefinitionsService Definitions => this;

    public CatalogSnapshot Catalog => _engine.Catalog;

    public BackfillStatus Backfill => _backfill.Status;

    /// <summary>The writer (tests tune its pipelining through it).</summary>
    internal WriteLoop Writer => _writeLoop;

    /// <summary>The profile cache (tests check what it holds through it).</summary>
    internal ProfileCache Cache => _cache;

    internal ICdpStore Store => _engine.Store;

    /// <summary>
    /// Loads the catalog and starts the writer and the timer. Idempotent; every public member waits
    /// for it. A failed start (the store unreachable) is tried again by the next call that needs the
    /// engine, at most once a second, so the engine recovers by itself when its store returns.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _start.StartAsync(StartCoreAsync, cancellationToken);

    public ValueTask EnsureStartedAsync(CancellationToken cancellationToken) => _start.EnsureStartedAsync(StartCoreAsync, cancellationToken);

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await _engine.Store.MigrateAsync(cancellationToken).ConfigureAwait(false);

        // The shared log's position first: whatever other nodes commit after it is caught up on.
        var seen = await _cluster.ReadPositionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await _engine.LoadCatalogAsync(cancellationToken).ConfigureAwait(false);
        _engine.SetCatalog(catalog);
        _engine.LastSequence = await _engine.Store.GetLastSequenceAsync(cancellationToken).ConfigureAwait(false);
        _cluster.StartFrom(seen);
        _writer = Task.Run(_writeLoop.RunAsync, CancellationToken.None);
        if (_engine.Options.MembershipTimer)
        {
            _timerLoop = Task.Run(_timer.RunAsync, CancellationToken.None);
        }

        if (_engine.Shared is not null)
        {
            _listener = Task.Run(_cluster.RunListenerAsync, CancellationToken.None);
        }

        Log.Started(_engine.Logger, catalog.Version, catalog.Traits.Count, catalog.Segments.Count, catalog.Flags.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine.IsStopping)
        {
            return;
        }

        _queue.Complete();
        await _engine.StopAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_writer, _timerLoop, _listener).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _engine.DisposeStopping();

        // The engine owns its store.
        await _engine.Store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the engine; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // ---- Ingestion ----

    public Task<BatchResult> SendAsync(CdpMessage message, CancellationToken cancellationToken = default) =>
        BatchAsync([message], cancellationToken);

    public Task<BatchResult> TrackAsync(string userId, string eventName, Value properties = default, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(CdpMessage.Track(userId, eventName, properties, timestamp), cancellationToken);

    public Task<BatchResult> IdentifyAsync(string userId, Value traits = default, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(CdpMessage.Identify(userId, traits, timestamp), cancellationToken);

    public Task<BatchResult> AliasAsync(string previousId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(CdpMessage.Alias(previousId, userId), cancellationToken);

    public async Task<BatchResult> BatchAsync(IReadOnlyList<CdpMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (MessageValidator.ValidateBatch(messages, out var messageInvalid) is { } error)
        {
            if (messageInvalid)
            {
                TinyCdpMetrics.MessagesRejected.Add(messages.Count);
            }

            return new BatchResult([], error);
        }

        if (messages.Count == 0)
        {
            return new BatchResult([], null);
        }

        var operation = new IngestOperation(messages);
        await EnqueueStartedAsync(operation, cancellationToken).ConfigureAwait(false);

        // Cancelling stops the wait, not the write: once taken, a batch is committed or failed whole.
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues first, then makes sure the engine runs: callers that arrive before the start keep
    /// their order. When the engine cannot start, the operation is abandoned (never written) and
    /// the failure thrown — unless the writer took it meanwhile, whose outcome then stands.
    /// </summary>
    private async ValueTask EnqueueStartedAsync(WriteOperation operation, CancellationToken cancellationToken)
    {
        // While the store is away, fail fast rather than pile abandoned operations up in the queue.
        _start.ThrowIfFailedRecently();
        _queue.Enqueue(operation);
        try
        {
            await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (operation.TryAbandon())
        {
            throw;
        }
        catch (Exception)
        {
            // Taken by a writer that another caller's start launched: wait for its outcome.
        }
    }

    // ---- Reads ----

    public async ValueTask<Decision?> DecideAsync(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        return catalog.FindFlag(flag) is { } compiled ? await _queries.DecideAsync(compiled, user, context, cancellationToken).ConfigureAwait(false) : null;
    }

    public async ValueTask<IReadOnlyDictionary<string, Decision>> DecideAllAsync(ProfileReference user, IReadOnlyCollection<string>? flags = null,
        IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default) =>
        await _queries.DecideAllAsync(await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false), user, flags, context, cancellationToken).ConfigureAwait(false);

    public bool TryDecide(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context, out QuickDecision decision)
    {
        decision = default;
        return _start.IsStarted && _queries.TryDecide(flag, user, context, out decision);
    }

    public async ValueTask<Value> EvaluateTraitAsync(string trait, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        return catalog.FindTrait(trait) is { } compiled ? await _queries.EvaluateTraitAsync(compiled, user, asOf, cancellationToken).ConfigureAwait(false) : Value.Null;
    }

    public async ValueTask<bool> IsInSegmentAsync(string segment, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        var catalog = await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false);
        return catalog.FindSegment(segment) is { } compiled && await _queries.IsInSegmentAsync(compiled, user, asOf, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Explanation?> ExplainAsync(DefinitionReferenceKind kind, string key, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default) =>
        await _queries.ExplainAsync(await CurrentCatalogAsync(cancellationToken).ConfigureAwait(false), kind, key, user, asOf, cancellationToken).ConfigureAwait(false);

    public async Task<ProfileView?> GetProfileAsync(ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _views.GetProfileAsync(user, asOf, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ProfileView>> SearchProfilesAsync(string query, int limit = 50, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _views.SearchProfilesAsync(query, limit, offset, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A snapshot whose aggregates hold at <paramref name="now"/> (benchmarks read it directly).</summary>
    internal async ValueTask<ProfileSnapshot> GetSnapshotAsync(ProfileReference user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _snapshots.GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CatalogSnapshot> CurrentCatalogAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return Catalog;
    }

    // ---- Change feed and members ----

    public async Task<IReadOnlyList<MembershipChange>> ReadChangesAsync(long after, int limit = 100, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _changeFeed.ReadAsync(after, limit, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<SegmentMember> ListSegmentMembersAsync(string segment, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (Catalog.FindSegment(segment) is null)
        {
            yield break;
        }

        await foreach (var member in _changeFeed.ListMembersAsync(segment, cancellationToken).ConfigureAwait(false))
        {
            yield return member;
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _changeFeed.GetSizesAsync(Catalog.Definitions.Segments.Select(s => s.Key), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SegmentSizePoint>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return Catalog.FindSegment(segment) is null ? [] : await _changeFeed.GetSizeHistoryAsync(segment, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<MembershipChange> WatchChangesAsync(long after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var change in _changeFeed.WatchAsync(after, cancellationToken).ConfigureAwait(false))
        {
            yield return change;
        }
    }

    // ---- Definitions and deletion ----

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
        return await _engine.Store.GetDefinitionHistoryAsync(kind, key, Math.Clamp(limit, 1, 10_000), cancellationToken).ConfigureAwait(false);
    }

    public Task WaitForBackfillAsync(CancellationToken cancellationToken = default) => _backfill.WaitAsync(cancellationToken);

    public async Task<DefinitionPreview> PreviewAsync(DefinitionKind kind, string expression, int sampleSize = DefinitionPreviews.MaxSampleSize, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _previews.PreviewAsync(kind, expression, sampleSize, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteProfileAsync(ProfileReference user, bool suppressIdentifiers = false, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (await _snapshots.ResolveAsync(user, cancellationToken).ConfigureAwait(false) is not { } profileId)
        {
            return false;
        }

        var operation = new DeleteOperation(profileId, suppressIdentifiers);
        _queue.Enqueue(operation);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DefinitionResult> ChangeDefinitionAsync(DefinitionOperation operation, CancellationToken cancellationToken)
    {
        await EnqueueStartedAsync(operation, cancellationToken).ConfigureAwait(false);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // ---- API keys ----

    /// <inheritdoc />
    public long KeysEpoch => _cluster.KeysEpoch;

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return await _engine.Store.GetApiKeysAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task CreateApiKeyAsync(StoredApiKey key, CancellationToken cancellationToken) => ChangeApiKeysAsync(ApiKeyOperation.Create(key), cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => ChangeApiKeysAsync(ApiKeyOperation.Revoke(id, at), cancellationToken);

    private async Task<bool> ChangeApiKeysAsync(ApiKeyOperation operation, CancellationToken cancellationToken)
    {
        await EnqueueStartedAsync(operation, cancellationToken).ConfigureAwait(false);
        return await operation.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> IsStoreReachableAsync(CancellationToken cancellationToken) => _engine.Store.IsReachableAsync(cancellationToken);

    // ---- Several nodes ----

    /// <summary>Catches up on other nodes' commits now (the listener does it on its own within a second).</summary>
    internal async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        await _cluster.CatchUpAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "TinyCdp started with catalog version {Version}: {Traits} traits, {Segments} segments, {Flags} flags")]
        public static partial void Started(ILogger logger, long version, int traits, int segments, int flags);
    }
}
