namespace TinyCdp.Definitions;

/// <summary>The kind of a definition.</summary>
public enum DefinitionKind
{
    /// <summary>A trait.</summary>
    Trait,

    /// <summary>A segment.</summary>
    Segment,

    /// <summary>A flag.</summary>
    Flag,
}
