namespace TinyCdp.Language;

/// <summary>
/// An error found while parsing, binding or type-checking an expression, with its position so
/// that a console can underline it. <see cref="Message"/> is the full text shown to people, e.g.
/// <c>Syntax error (line 1, column 28): unexpected end of input, expected a number, string, name or '('.</c>
/// </summary>
public sealed record ExpressionError
{
    /// <summary>Creates an error; line and column are computed from <paramref name="source"/>.</summary>
    public ExpressionError(ExpressionErrorKind kind, TextSpan span, string source, string detail)
    {
        Kind = kind;
        Span = span;
        Detail = detail;
        (Line, Column) = SourceText.LineAndColumn(source, span.Start);
    }

    /// <summary>The category.</summary>
    public ExpressionErrorKind Kind { get; }

    /// <summary>The characters the error is about.</summary>
    public TextSpan Span { get; }

    /// <summary>1-based line of <see cref="TextSpan.Start"/>.</summary>
    public int Line { get; }

    /// <summary>1-based column of <see cref="TextSpan.Start"/>, counted in UTF-16 code units.</summary>
    public int Column { get; }

    /// <summary>The plain explanation, without the category and position.</summary>
    public string Detail { get; }

    /// <summary>The full message: category, position and detail, ending with a full stop (or the question of a suggestion).</summary>
    public string Message => $"{KindText(Kind)} (line {Line}, column {Column}): {Detail}{(Detail.EndsWith('?') ? "" : ".")}";

    /// <inheritdoc />
    public override string ToString() => Message;

    private static string KindText(ExpressionErrorKind kind) => kind switch
    {
        ExpressionErrorKind.Syntax => "Syntax error",
        ExpressionErrorKind.Name => "Name error",
        ExpressionErrorKind.Type => "Type error",
        ExpressionErrorKind.Reference => "Reference error",
        ExpressionErrorKind.Window => "Window error",
        _ => "Error",
    };
}
