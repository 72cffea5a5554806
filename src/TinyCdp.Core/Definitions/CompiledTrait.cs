using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>A trait in a catalog: its definition, compiled expression and slot.</summary>
/// <param name="Definition">As saved.</param>
/// <param name="Expression">Compiled.</param>
/// <param name="Slot">Its index in <see cref="CatalogSnapshot.Traits"/>.</param>
internal sealed record CompiledTrait(TraitDefinition Definition, CompiledExpression Expression, int Slot)
{
    /// <summary>The key.</summary>
    public string Key => Definition.Key;
}
