namespace TinyCdp.Language.Syntax;

/// <summary>An infix operator.</summary>
internal enum BinaryOperator
{
    /// <summary><c>||</c> or <c>or</c>.</summary>
    Or,

    /// <summary><c>&amp;&amp;</c> or <c>and</c>.</summary>
    And,

    /// <summary><c>==</c>.</summary>
    Equal,

    /// <summary><c>!=</c>.</summary>
    NotEqual,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>in</c>.</summary>
    In,

    /// <summary><c>not in</c>.</summary>
    NotIn,

    /// <summary><c>+</c>.</summary>
    Add,

    /// <summary><c>-</c>.</summary>
    Subtract,

    /// <summary><c>*</c>.</summary>
    Multiply,

    /// <summary><c>/</c>.</summary>
    Divide,

    /// <summary><c>%</c>.</summary>
    Remainder,
}
