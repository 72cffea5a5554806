namespace TinyCdp.Language;

/// <summary>A trait or segment, as a node of the reference graph between definitions.</summary>
/// <param name="IsSegment">True for a segment, false for a trait.</param>
/// <param name="Key">The definition's key.</param>
internal readonly record struct DefinitionReference(bool IsSegment, string Key)
{
    /// <summary>A trait.</summary>
    public static DefinitionReference Trait(string key) => new(false, key);

    /// <summary>A segment.</summary>
    public static DefinitionReference Segment(string key) => new(true, key);

    /// <summary>The key, as cycle messages show it.</summary>
    public override string ToString() => Key;
}
