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

/// <summary>
/// The one exception type TinyCdp throws. Expected failures are values (<c>TryX</c> methods and
/// result types); this is thrown by the throwing variants and for broken invariants.
/// </summary>
public sealed class TinyCdpException : Exception
{
    /// <summary>Creates an exception with a code and a message meant for people.</summary>
    public TinyCdpException(TinyCdpErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>The kind of failure.</summary>
    public TinyCdpErrorCode Code { get; }

    /// <summary>For <see cref="TinyCdpErrorCode.InvalidExpression"/>: the error with its position.</summary>
    public Language.ExpressionError? ExpressionError { get; init; }
}
