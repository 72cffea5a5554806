using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>A flag rule with its condition compiled and its split resolved to cumulative bucket bounds.</summary>
/// <param name="Rule">As saved.</param>
/// <param name="When">The compiled condition.</param>
internal sealed record CompiledFlagRule(FlagRule Rule, CompiledExpression When)
{
    /// <summary>For a split: variant names and weights in range order, as <c>Bucketer.PickVariant</c> takes them.</summary>
    public IReadOnlyList<(string Variant, double Weight)>? Split { get; init; }
}
