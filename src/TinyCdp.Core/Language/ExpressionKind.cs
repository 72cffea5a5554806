namespace TinyCdp.Language;

/// <summary>What an expression is for; it decides which names are available and the result type required.</summary>
public enum ExpressionKind
{
    /// <summary>A trait: any type; may read events, profile, other traits and segments.</summary>
    Trait,

    /// <summary>A segment rule: must be bool; may read events, profile, traits and segments.</summary>
    Segment,

    /// <summary>A flag rule: must be bool; may also read <c>context.*</c>.</summary>
    Flag,

    /// <summary>An event filter (the body of <c>where(...)</c>): must be bool; bare names are event properties.</summary>
    EventFilter,
}
