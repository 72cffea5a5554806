using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>
/// One targeting rule of a flag: when <see cref="When"/> is true, serve <see cref="Variant"/>, or
/// split between variants by weight (<c>{"control": 50, "treatment": 50}</c>). Exactly one of the two is set.
/// </summary>
/// <param name="When">The boolean expression (may read <c>context.*</c>).</param>
public sealed record FlagRule(string When)
{
    /// <summary>The variant served when the rule matches.</summary>
    public string? Variant { get; init; }

    /// <summary>Variants and their weights (percentages; any positive total is scaled), in range order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>>? Split { get; init; }
}
