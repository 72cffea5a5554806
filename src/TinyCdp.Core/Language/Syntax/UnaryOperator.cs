namespace TinyCdp.Language.Syntax;

/// <summary>A prefix operator.</summary>
internal enum UnaryOperator
{
    /// <summary><c>!</c> or <c>not</c>.</summary>
    Not,

    /// <summary>Unary <c>-</c>.</summary>
    Negate,
}
