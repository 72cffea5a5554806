namespace TinyCdp.Definitions;

/// <summary>A flag in a catalog: its definition and compiled rules.</summary>
/// <param name="Definition">As saved.</param>
/// <param name="Rules">Compiled, in order.</param>
internal sealed record CompiledFlag(FlagDefinition Definition, IReadOnlyList<CompiledFlagRule> Rules)
{
    /// <summary>The key.</summary>
    public string Key => Definition.Key;

    /// <summary>The salt mixed into bucketing (the key when none is set).</summary>
    public string Salt => Definition.Salt ?? Definition.Key;

    /// <summary>True when every variant's value is a bool: then a decision's <c>allow</c> is the value.</summary>
    public bool IsBoolean { get; } = Definition.Variants.Values.All(v => v.Kind == Language.ValueKind.Bool);
}
