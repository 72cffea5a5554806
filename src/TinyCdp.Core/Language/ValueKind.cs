namespace TinyCdp.Language;

/// <summary>The run-time kind of a <see cref="Value"/>.</summary>
public enum ValueKind : byte
{
    /// <summary>No value.</summary>
    Null,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A finite double-precision number.</summary>
    Number,

    /// <summary>A string.</summary>
    String,

    /// <summary>An ordered list of values.</summary>
    List,

    /// <summary>A JSON object (profile and event properties).</summary>
    Object,
}
