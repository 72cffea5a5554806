namespace TinyCdp.Storage;

/// <summary>A store's schema and health: what starting the engine and the readiness check ask of it.</summary>
public interface IStoreMaintenance
{
    /// <summary>Creates or upgrades the schema; idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the store answers now (for readiness).</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken = default);
}
