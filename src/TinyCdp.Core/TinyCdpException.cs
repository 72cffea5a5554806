namespace TinyCdp;

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
