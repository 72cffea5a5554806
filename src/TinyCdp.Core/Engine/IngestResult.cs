namespace TinyCdp.Engine;

/// <summary>What became of one message.</summary>
/// <param name="MessageId">The message id (the caller's, or the one assigned).</param>
/// <param name="ProfileId">The profile it was attached to (<see cref="Guid.Empty"/> when not stored).</param>
/// <param name="Duplicate">True when the message id was seen before within the dedupe window: acknowledged, ignored.</param>
/// <param name="Suppressed">True when it carried an identifier suppressed by a deletion: acknowledged, dropped.</param>
public sealed record IngestResult(string MessageId, Guid ProfileId, bool Duplicate, bool Suppressed)
{
    /// <summary>The event's sequence number, when it was stored.</summary>
    public long? Sequence { get; init; }
}
