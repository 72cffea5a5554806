using Microsoft.Extensions.Logging;
using Npgsql;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// Listens, on a connection of its own, for the notifications commits send (payload
/// <c>version:node</c>) and raises a signal for those of other store instances; also raises it each
/// time the connection is (re-)established, since notifications sent while it was down are lost.
/// </summary>
/// <remarks>
/// Started by the first <see cref="WaitAsync"/>. A lost connection is retried after a pause that doubles
/// from a quarter of a second up to the configured maximum; the loss is logged once as a warning,
/// the retries at debug level, the recovery as information (never the connection string). A silent
/// connection is pinged every 30 seconds so that a dead network path is noticed.
/// </remarks>
internal sealed partial class SharedChangeListener(
    NpgsqlDataSource dataSource, string channel, Guid nodeId, TimeSpan maxReconnectDelay, ILogger logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(250);
    private const int PingIntervalMilliseconds = 30_000;

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _signal = NewSignal();
    private bool _pending;
    private Task? _loop;
    private bool _disposed;

    /// <summary>True when a signal was raised since the last call that returned true; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signaled;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loop ??= Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
            if (TryConsume())
            {
                return true;
            }

            signaled = _signal.Task;
        }

        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(timeout, stopTimer.Token);
        if (await Task.WhenAny(signaled, timer).ConfigureAwait(false) != signaled)
        {
            await timer.ConfigureAwait(false); // Throws when the caller canceled.
            return false;
        }

        await stopTimer.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            TryConsume();
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _gate.
    private bool TryConsume()
    {
        if (!_pending)
        {
            return false;
        }

        _pending = false;
        _signal = NewSignal();
        return true;
    }

    private void Signal()
    {
        lock (_gate)
        {
            _pending = true;
            _signal.TrySetResult();
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        // "version:node"; anything else (a future format) counts as another process's commit.
        var separator = notification.Payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || !Guid.TryParse(notification.Payload.AsSpan(separator + 1), out var node) || node != nodeId)
        {
            Signal();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = FirstReconnectDelay;
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var connection = await dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }

                    if (failures > 0)
                    {
                        LogRestored(logger, failures);
                    }

                    failures = 0;
                    delay = FirstReconnectDelay;
                    Signal();
                    while (true)
                    {
                        if (!await connection.WaitAsync(PingIntervalMilliseconds, stopping).ConfigureAwait(false))
                        {
                            using var ping = new NpgsqlCommand("SELECT 1", connection);
                            await ping.ExecuteScalarAsync(stopping).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever broke the connection, the loop must go on trying.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (failures++ == 0)
                {
                    // The pool's idle connections are as dead as this one was.
                    dataSource.Clear();
                    LogLost(logger, exception.GetType().Name, exception.Message);
                }
                else
                {
                    LogStillLost(logger, failures, exception.GetType().Name, exception.Message);
                }
            }

            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxReconnectDelay.Ticks));
        }
    }

    [LoggerMessage(1, LogLevel.Warning,
        "Lost the PostgreSQL notification channel ({ErrorType}: {ErrorMessage}); retrying. Until it is back, changes other TinyCdp processes commit are seen only when this process next reads the shared log.")]
    private static partial void LogLost(ILogger logger, string errorType, string errorMessage);

    [LoggerMessage(2, LogLevel.Debug, "The PostgreSQL notification channel is still down after {Attempts} attempts ({ErrorType}: {ErrorMessage}).")]
    private static partial void LogStillLost(ILogger logger, int attempts, string errorType, string errorMessage);

    [LoggerMessage(3, LogLevel.Information, "The PostgreSQL notification channel is back after {Attempts} failed attempts.")]
    private static partial void LogRestored(ILogger logger, int attempts);
}
