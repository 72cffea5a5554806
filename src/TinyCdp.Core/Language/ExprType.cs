namespace TinyCdp.Language;

/// <summary>The static type of an expression, as the checker knows it.</summary>
public enum ExprType
{
    /// <summary>Known to be a boolean.</summary>
    Bool,

    /// <summary>Known to be a number (or null where the member says so).</summary>
    Number,

    /// <summary>Known to be a string.</summary>
    String,

    /// <summary>Known to be a list.</summary>
    List,

    /// <summary>Any JSON value, known only at run time (profile and event properties, context).</summary>
    Any,

    /// <summary>The literal <c>null</c>.</summary>
    Null,
}
