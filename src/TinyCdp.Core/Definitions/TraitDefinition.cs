namespace TinyCdp.Definitions;

/// <summary>A trait: a named expression of any type, computed per profile.</summary>
/// <param name="Key">The key (<c>^[a-zA-Z_][a-zA-Z0-9_]*$</c>, not a reserved word or built-in name).</param>
/// <param name="Expression">The expression text.</param>
public sealed record TraitDefinition(string Key, string Expression)
{
    /// <summary>What the trait means, for people.</summary>
    public string? Description { get; init; }
}
