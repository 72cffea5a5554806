namespace TinyCdp.Evaluation;

/// <summary>Why a flag has its value, as OpenFeature names it.</summary>
public enum DecisionReason
{
    /// <summary>A rule matched and served its variant (<c>TARGETING_MATCH</c>).</summary>
    TargetingMatch,

    /// <summary>A rule matched and its split placed the user (<c>SPLIT</c>).</summary>
    Split,

    /// <summary>No rule matched (<c>DEFAULT</c>).</summary>
    Default,

    /// <summary>The flag is switched off (<c>DISABLED</c>).</summary>
    Disabled,
}
