namespace TinyCdp.Definitions;

/// <summary>The raw definitions of a catalog.</summary>
/// <param name="Traits">Traits.</param>
/// <param name="Segments">Segments.</param>
/// <param name="Flags">Flags.</param>
public sealed record CatalogDefinitions(IReadOnlyList<TraitDefinition> Traits, IReadOnlyList<SegmentDefinition> Segments, IReadOnlyList<FlagDefinition> Flags)
{
    /// <summary>No definitions.</summary>
    public static CatalogDefinitions Empty { get; } = new([], [], []);
}
