using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>A segment in a catalog: its definition, compiled rule and slot.</summary>
/// <param name="Definition">As saved.</param>
/// <param name="Rule">Compiled.</param>
/// <param name="Slot">Its index in <see cref="CatalogSnapshot.Segments"/>.</param>
internal sealed record CompiledSegment(SegmentDefinition Definition, CompiledExpression Rule, int Slot)
{
    /// <summary>The key.</summary>
    public string Key => Definition.Key;
}
