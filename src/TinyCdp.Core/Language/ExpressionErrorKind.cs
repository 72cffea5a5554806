namespace TinyCdp.Language;

/// <summary>The category of an expression error; it is also the first words of the message.</summary>
public enum ExpressionErrorKind
{
    /// <summary>The text is not an expression of the grammar.</summary>
    Syntax,

    /// <summary>A name, member or function that does not exist, or a wrong argument count.</summary>
    Name,

    /// <summary>A value of the wrong type for where it stands.</summary>
    Type,

    /// <summary>A reference to a trait or segment that does not exist, or a reference cycle.</summary>
    Reference,

    /// <summary>A window longer than the event retention, or otherwise unusable.</summary>
    Window,
}
