namespace TinyCdp.Engine.Writing;

/// <summary>
/// Something only the writer does. Each completes its task after its commit (or its failure). It is
/// queued before the engine has started (so callers keep their order), and then either taken by the
/// writer or abandoned by its caller (the engine could not start) — never both.
/// </summary>
internal abstract class WriteOperation
{
    private int _state;

    /// <summary>The writer takes it; false when the caller abandoned it first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    /// <summary>The caller gives it up; false when the writer took it first (its outcome is then the answer).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
}
