using Microsoft.Extensions.Logging;

namespace TinyCdp.Engine.Lifecycle;

/// <summary>
/// Starts the engine once, and again after a failed start: every caller that needs the engine waits
/// for it. A failed start (the store unreachable) is tried again by the next call that needs the
/// engine, at most once a second on the engine's clock, so the engine recovers by itself when its
/// store returns and callers fail fast meanwhile.
/// </summary>
internal sealed partial class StartGate(TimeProvider time, ILogger logger, Func<bool> isStopping)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private Exception? _failure;
    private long _failedAt;
    private volatile bool _isStarted;

    /// <summary>True once the engine runs.</summary>
    public bool IsStarted => _isStarted;

    /// <summary>Runs <paramref name="start"/> unless the engine already runs. Idempotent; throws what the start threw.</summary>
    public async Task StartAsync(Func<CancellationToken, Task> start, CancellationToken cancellationToken)
    {
        if (_isStarted)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_isStarted)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(isStopping(), typeof(CdpEngine));
            await start(cancellationToken).ConfigureAwait(false);
            _failure = null;
            _isStarted = true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failure = exception;
            Volatile.Write(ref _failedAt, time.GetTimestamp());
            Log.StartFailed(logger, exception);
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Makes sure the engine runs; a failure is a <see cref="TinyCdpException"/> with our own words.</summary>
    public async ValueTask EnsureStartedAsync(Func<CancellationToken, Task> start, CancellationToken cancellationToken)
    {
        if (_isStarted)
        {
            return;
        }

        ThrowIfFailedRecently();
        try
        {
            await StartAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw CouldNotStart(exception);
        }
    }

    /// <summary>After a failed start, the next second fails fast instead of trying again.</summary>
    public void ThrowIfFailedRecently()
    {
        if (!_isStarted && _failure is { } failure && time.GetElapsedTime(Volatile.Read(ref _failedAt)) < RetryInterval)
        {
            throw CouldNotStart(failure);
        }
    }

    /// <summary>Our own explanation when the store gave one (a full or read-only disk, a newer schema), never a driver's text.</summary>
    private static TinyCdpException CouldNotStart(Exception failure) => new(TinyCdpErrorCode.StoreUnavailable,
        failure is TinyCdpException known ? $"TinyCdp could not start: {known.Message}" : "TinyCdp could not start: the store is unreachable.", failure);

    private static partial class Log
    {
        [LoggerMessage(7, LogLevel.Warning, "TinyCdp could not start; the next call that needs it tries again")]
        public static partial void StartFailed(ILogger logger, Exception exception);
    }
}
