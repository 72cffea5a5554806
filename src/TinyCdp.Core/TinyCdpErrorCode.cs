namespace TinyCdp;

/// <summary>What went wrong, for callers that branch on the kind of failure.</summary>
public enum TinyCdpErrorCode
{
    /// <summary>An expression failed to parse, bind or type-check.</summary>
    InvalidExpression,

    /// <summary>A request or message broke a documented rule (a limit, a missing field, a bad value).</summary>
    InvalidArgument,

    /// <summary>The named flag, trait, segment or profile does not exist.</summary>
    NotFound,

    /// <summary>Something with that key already exists.</summary>
    AlreadyExists,

    /// <summary>The change would break something that depends on it.</summary>
    Conflict,

    /// <summary>The store could not be reached or failed.</summary>
    StoreUnavailable,
}
