using Microsoft.Extensions.Logging;
using TinyCdp.Engine.Writing;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Timing;

/// <summary>
/// Time-driven membership: each published profile is scheduled at the earliest instant one of its
/// segments could change with no new message; the timer re-evaluates it then, through the writer, at
/// that instant (cause <see cref="ChangeCause.Time"/>).
/// </summary>
internal sealed partial class MembershipTimer(EngineContext engine, WriteQueue queue)
{
    private readonly PriorityQueue<Guid, DateTimeOffset> _due = new();
    private readonly Dictionary<Guid, DateTimeOffset> _dueByProfile = [];
    private readonly Lock _dueLock = new();
    private TaskCompletionSource _dueSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Schedules a just-published profile at the next instant one of its segments could change (or unschedules it).</summary>
    public void Schedule(ProfileSnapshot snapshot, DateTimeOffset at)
    {
        if (!engine.Options.MembershipTimer || snapshot.Catalog.Segments.Count == 0)
        {
            return;
        }

        var context = ProfileEvaluationContext.Create(snapshot, at);
        DateTimeOffset? next = null;
        foreach (var segment in snapshot.Catalog.Segments)
        {
            next = ProfileEvaluationContext.Earliest(next, context.NextChange(segment.Rule));
        }

        lock (_dueLock)
        {
            if (next is not { } due)
            {
                _dueByProfile.Remove(snapshot.Id);
                return;
            }

            _dueByProfile[snapshot.Id] = due;
            _due.Enqueue(snapshot.Id, due);
            if (_due.TryPeek(out _, out var first) && first == due)
            {
                Interlocked.Exchange(ref _dueSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }

    /// <summary>The timer's loop, until the engine stops: queues each due profile's re-evaluation and waits for it.</summary>
    public async Task RunAsync()
    {
        var token = engine.Stopping;
        while (!token.IsCancellationRequested)
        {
            try
            {
                Task signal;
                DateTimeOffset? next = null;
                var ready = new List<(Guid Profile, DateTimeOffset Due)>();
                var now = engine.Time.GetUtcNow();
                lock (_dueLock)
                {
                    signal = _dueSignal.Task;
                    while (_due.TryPeek(out var profile, out var due))
                    {
                        if (!_dueByProfile.TryGetValue(profile, out var current) || current != due)
                        {
                            _due.Dequeue(); // Superseded by a later schedule.
                            continue;
                        }

                        if (due > now)
                        {
                            next = due;
                            break;
                        }

                        _due.Dequeue();
                        _dueByProfile.Remove(profile);
                        ready.Add((profile, due));
                    }
                }

                foreach (var group in ready.GroupBy(r => r.Due))
                {
                    var operation = new ReevaluateOperation([.. group.Select(r => r.Profile)], group.Key, ChangeCause.Time);
                    queue.Enqueue(operation);
                    await operation.Completion.Task.WaitAsync(token).ConfigureAwait(false);
                }

                if (ready.Count > 0)
                {
                    continue;
                }

                await WaitUntilAsync(next, signal, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.TimerFailed(engine.Logger, exception);
                await Task.Delay(TimeSpan.FromSeconds(1), engine.Time, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="due"/> on the engine's clock, or until <paramref name="signal"/> (an earlier
    /// instant was scheduled). The clock is read again after the delay is armed: a clock that moved past
    /// <paramref name="due"/> in between (a test's fake clock, or a long pause) must not leave the wait
    /// armed for a whole delay measured from the new time. The delay is cancelled when the wait ends, so
    /// no timer or token registration outlives it.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset? due, Task signal, CancellationToken token)
    {
        var time = engine.Time;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
        Task delay;
        if (due is { } at)
        {
            var remaining = at - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            delay = Task.Delay(remaining, time, wait.Token);
            if (time.GetUtcNow() >= at)
            {
                await wait.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
        else
        {
            delay = Task.Delay(Timeout.InfiniteTimeSpan, time, wait.Token);
        }

        await Task.WhenAny(delay, signal).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    private static partial class Log
    {
        [LoggerMessage(5, LogLevel.Error, "The membership timer failed; it restarts")]
        public static partial void TimerFailed(ILogger logger, Exception exception);
    }
}
