using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// The engine: one writer loop that owns every change (group commit), lock-free reads of
/// published profile snapshots, a membership timer and a backfill. See ARCHITECTURE.md.
/// </summary>
internal sealed partial class CdpEngine : ITinyCdp, IDefinitionsService, IAsyncDisposable, IDisposable
{
    private readonly ICdpStore _store;
    private readonly TinyCdpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, ProfileEntry> _profiles = new();
    private readonly ConcurrentDictionary<Identifier, Guid> _owners = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private CatalogSnapshot _catalog = CatalogSnapshot.Empty;
    private Task _writer = Task.CompletedTask;
    private Task _timer = Task.CompletedTask;
    private Task _listener = Task.CompletedTask;
    private long _lastSequence;
    private DateTimeOffset _lastForget = DateTimeOffset.MinValue;
    private Exception? _startFailure;
    private long _startFailedAt;
    private volatile bool _isStarted;

    public CdpEngine(ICdpStore store, TinyCdpOptions options, TimeProvider? timeProvider = null, ILogger<CdpEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, "Invalid TinyCdp options: " + string.Join(" ", problems));
        }

        _store = store;
        _shared = store as ISharedCdpStore;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public IDefinitionsService Definitions => this;

    /// <summary>True once the engine runs (for tests).</summary>
    internal bool IsStarted => _isStarted;

    public CatalogSnapshot Catalog => Volatile.Read(ref _catalog);

    internal ICdpStore Store => _store;

    /// <summary>
    /// Loads the catalog and starts the writer and the timer. Idempotent; every public member waits
    /// for it. A failed start (the store unreachable) is tried again by the next call that needs the
    /// engine, at most once a second, so the engine recovers by itself when its store returns.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_isStarted)
        {
            return;
        }

        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_isStarted)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
            _startFailure = null;
            _isStarted = true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _startFailure = exception;
            Volatile.Write(ref _startFailedAt, Environment.TickCount64);
            Log.StartFailed(_logger, exception);
            throw;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);

        // The shared log's position first: whatever other nodes commit after it is caught up on.
        var seen = _shared is null ? 0 : (await _shared.ReadSharedChangesAsync(-1, cancellationToken).ConfigureAwait(false)).Version;
        var catalog = await LoadCatalogAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _catalog, catalog);
        _lastSequence = await _store.GetLastSequenceAsync(cancellationToken).ConfigureAwait(false);
        _sharedSeen = seen;
        _writer = Task.Run(RunWriterAsync, CancellationToken.None);
        if (_options.MembershipTimer)
        {
            _timer = Task.Run(RunTimerAsync, CancellationToken.None);
        }

        if (_shared is not null)
        {
            _listener = Task.Run(RunSharedListenerAsync, CancellationToken.None);
        }

        Log.Started(_logger, catalog.Version, catalog.Traits.Count, catalog.Segments.Count, catalog.Flags.Count);
    }

    /// <summary>The stored definitions, compiled.</summary>
    private async Task<CatalogSnapshot> LoadCatalogAsync(CancellationToken cancellationToken)
    {
        var (stored, version) = await _store.GetDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        var definitions = new CatalogDefinitions(
            stored.Where(d => d.Kind == DefinitionKind.Trait).Select(d => DefinitionJson.ReadTrait(d.BodyJson)).ToList(),
            stored.Where(d => d.Kind == DefinitionKind.Segment).Select(d => DefinitionJson.ReadSegment(d.BodyJson)).ToList(),
            stored.Where(d => d.Kind == DefinitionKind.Flag).Select(d => DefinitionJson.ReadFlag(d.BodyJson)).ToList());
        if (!CatalogCompiler.TryCompile(definitions, version, _options.Retention, out var catalog, out var error))
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, $"The stored definitions do not compile: {error.Message}");
        }

        return catalog;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _writes.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_writer, _timer, _listener).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();

        // The engine owns its store.
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the engine; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal async ValueTask EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_isStarted)
        {
            return;
        }

        ThrowIfStartFailedRecently();
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw CouldNotStart(exception);
        }
    }

    /// <summary>After a failed start, the next second fails fast instead of trying again.</summary>
    private void ThrowIfStartFailedRecently()
    {
        if (!_isStarted && _startFailure is { } failure && Environment.TickCount64 - Volatile.Read(ref _startFailedAt) < 1_000)
        {
            throw CouldNotStart(failure);
        }
    }

    /// <summary>Our own explanation when the store gave one (a full or read-only disk, a newer schema), never a driver's text.</summary>
    private static TinyCdpException CouldNotStart(Exception failure) => new(TinyCdpErrorCode.StoreUnavailable,
        failure is TinyCdpException known ? $"TinyCdp could not start: {known.Message}" : "TinyCdp could not start: the store is unreachable.", failure);

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
        if (messages.Count > MessageLimits.MaxBatchMessages)
        {
            return new BatchResult([], new MessageError(MessageErrorKind.TooLarge, "batch", $"batch: a batch holds at most {MessageLimits.MaxBatchMessages} messages", null));
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is null)
            {
                return new BatchResult([], new MessageError(MessageErrorKind.Invalid, $"batch[{i}]", $"batch[{i}]: a message is required", i));
            }

            if (MessageValidator.Validate(messages[i], messages.Count == 1 ? null : i) is { } error)
            {
                TinyCdpMetrics.MessagesRejected.Add(messages.Count);
                return new BatchResult([], error);
            }
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
        ThrowIfStartFailedRecently();
        Enqueue(operation);
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

    private void Enqueue(WriteOperation operation)
    {
        if (!_writes.Writer.TryWrite(operation))
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp is stopping.");
        }
    }

    // ---- Change feed ----

    public async Task<IReadOnlyList<MembershipChange>> ReadChangesAsync(long after, int limit = 100, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var changes = await _store.ReadChangesAsync(after, Math.Clamp(limit, 1, 10_000), cancellationToken).ConfigureAwait(false);
        return [.. changes.Select(MembershipChange.From)];
    }

    public async IAsyncEnumerable<SegmentMember> ListSegmentMembersAsync(string segment, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (Catalog.FindSegment(segment) is null)
        {
            yield break;
        }

        Guid? after = null;
        while (true)
        {
            var page = await _store.ListSegmentMembersAsync(segment, after, 1_000, cancellationToken).ConfigureAwait(false);
            foreach (var membership in page)
            {
                var identifiers = await _store.GetIdentifiersAsync(membership.ProfileId, cancellationToken).ConfigureAwait(false);
                var userId = identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value;
                yield return new SegmentMember(membership.ProfileId, userId, membership.Since);
            }

            if (page.Count < 1_000)
            {
                yield break;
            }

            after = page[^1].ProfileId;
        }
    }

    public async IAsyncEnumerable<MembershipChange> WatchChangesAsync(long after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var cursor = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            var signal = ChangeSignal;
            var changes = await _store.ReadChangesAsync(cursor, 1_000, cancellationToken).ConfigureAwait(false);
            foreach (var change in changes)
            {
                cursor = change.Cursor;
                yield return MembershipChange.From(change);
            }

            if (changes.Count == 0)
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TaskCompletionSource _changeSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task ChangeSignal => Volatile.Read(ref _changeSignal).Task;

    private void SignalChanges()
    {
        var previous = Interlocked.Exchange(ref _changeSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "TinyCdp started with catalog version {Version}: {Traits} traits, {Segments} segments, {Flags} flags")]
        public static partial void Started(ILogger logger, long version, int traits, int segments, int flags);

        [LoggerMessage(2, LogLevel.Error, "A commit of {Messages} messages failed; the callers were told and nothing was acknowledged")]
        public static partial void CommitFailed(ILogger logger, Exception exception, int messages);

        [LoggerMessage(3, LogLevel.Information, "Catalog version {Version}: {Change}")]
        public static partial void CatalogChanged(ILogger logger, long version, string change);

        [LoggerMessage(4, LogLevel.Information, "Backfill of catalog version {Version} finished: {Done} profiles")]
        public static partial void BackfillDone(ILogger logger, long version, long done);

        [LoggerMessage(5, LogLevel.Error, "The membership timer failed; it restarts")]
        public static partial void TimerFailed(ILogger logger, Exception exception);

        [LoggerMessage(8, LogLevel.Warning, "Could not catch up on other nodes' changes; trying again")]
        public static partial void SharedCatchUpFailed(ILogger logger, Exception exception);

        [LoggerMessage(7, LogLevel.Warning, "TinyCdp could not start; the next call that needs it tries again")]
        public static partial void StartFailed(ILogger logger, Exception exception);

        [LoggerMessage(6, LogLevel.Error, "Backfill of catalog version {Version} failed after {Done} profiles")]
        public static partial void BackfillFailed(ILogger logger, Exception exception, long version, long done);
    }
}
