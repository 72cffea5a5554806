using TinyCdp.Ingestion;

namespace TinyCdp.Engine.Writing;

/// <summary>Messages to store, all or nothing (already validated).</summary>
internal sealed class IngestOperation(IReadOnlyList<CdpMessage> messages) : WriteOperation
{
    public IReadOnlyList<CdpMessage> Messages { get; } = messages;

    public TaskCompletionSource<BatchResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
