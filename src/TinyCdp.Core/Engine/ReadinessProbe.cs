namespace TinyCdp.Engine;

/// <summary>Whether the engine can serve: it started and its store answers now (for readiness checks).</summary>
public sealed class ReadinessProbe
{
    private readonly IEngineReadiness _engine;

    internal ReadinessProbe(IEngineReadiness engine) => _engine = engine;

    /// <summary>True when the engine started and its store is reachable. Never throws.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _engine.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
            return await _engine.IsStoreReachableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }
}
