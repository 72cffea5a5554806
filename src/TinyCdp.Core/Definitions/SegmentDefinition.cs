namespace TinyCdp.Definitions;

/// <summary>A segment: a named boolean rule; profiles for which it is true are members.</summary>
/// <param name="Key">The key (<c>^[a-zA-Z_][a-zA-Z0-9_]*$</c>, not a reserved word or built-in name).</param>
/// <param name="Rule">The boolean expression.</param>
public sealed record SegmentDefinition(string Key, string Rule)
{
    /// <summary>What the segment means, for people.</summary>
    public string? Description { get; init; }
}
