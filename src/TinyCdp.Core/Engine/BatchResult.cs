using TinyCdp.Ingestion;

namespace TinyCdp.Engine;

/// <summary>What became of a batch: all stored (or acknowledged as duplicates), or rejected whole.</summary>
/// <param name="Items">One result per message, in order; empty when <see cref="Error"/> is set.</param>
/// <param name="Error">Why the batch was rejected; nothing from it was stored.</param>
public sealed record BatchResult(IReadOnlyList<IngestResult> Items, MessageError? Error)
{
    /// <summary>True when the batch was accepted.</summary>
    public bool Accepted => Error is null;

    /// <summary>How many messages were stored.</summary>
    public int Stored => Items.Count(i => !i.Duplicate && !i.Suppressed);

    /// <summary>How many were duplicates.</summary>
    public int Duplicates => Items.Count(i => i.Duplicate);
}
