using TinyCdp.Engine.Backfill;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Writing;

/// <summary>Re-evaluates profiles' memberships and traits at an instant: for the timer (cause time) and backfill (cause definition).</summary>
internal sealed class ReevaluateOperation(IReadOnlyList<Guid> profileIds, DateTimeOffset? at, ChangeCause cause) : WriteOperation
{
    public IReadOnlyList<Guid> ProfileIds { get; } = profileIds;

    /// <summary>The instant to evaluate at; null for the writer's now.</summary>
    public DateTimeOffset? At { get; } = at;

    public ChangeCause Cause { get; } = cause;

    /// <summary>What the backfill read and replayed ahead of the writer, if anything.</summary>
    public Prefetch? Prefetched { get; init; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
