namespace TinyCdp.Engine.Writing;

/// <summary>Deletes a profile (and optionally suppresses its identifiers).</summary>
internal sealed class DeleteOperation(Guid profileId, bool suppress) : WriteOperation
{
    public Guid ProfileId { get; } = profileId;

    public bool Suppress { get; } = suppress;

    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
