namespace TinyCdp.Evaluation;

/// <summary>What an explanation is asked for.</summary>
public enum DefinitionReferenceKind
{
    /// <summary>A trait.</summary>
    Trait,

    /// <summary>A segment.</summary>
    Segment,

    /// <summary>A flag.</summary>
    Flag,
}
