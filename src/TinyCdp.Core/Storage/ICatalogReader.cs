using TinyCdp.Definitions;

namespace TinyCdp.Storage;

/// <summary>The catalog: the saved definitions, its version, and its history.</summary>
public interface ICatalogReader
{
    /// <summary>All definitions and the catalog version.</summary>
    Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The change history of the catalog, newest first.</summary>
    Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default);
}
