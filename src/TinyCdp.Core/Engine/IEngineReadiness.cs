namespace TinyCdp.Engine;

/// <summary>What <see cref="ReadinessProbe"/> asks of the engine.</summary>
internal interface IEngineReadiness
{
    /// <summary>Starts the engine if needed; throws when it cannot.</summary>
    ValueTask EnsureStartedAsync(CancellationToken cancellationToken);

    /// <summary>Whether the engine's store answers now.</summary>
    Task<bool> IsStoreReachableAsync(CancellationToken cancellationToken);
}
