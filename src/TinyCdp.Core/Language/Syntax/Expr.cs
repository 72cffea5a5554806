namespace TinyCdp.Language.Syntax;

/// <summary>
/// A node of the syntax tree. Immutable, with structural equality that ignores <see cref="Span"/>,
/// so that <c>ExpressionParser.Parse(e.ToString()) == e</c> for every expression.
/// <see cref="ToString"/> prints the canonical form.
/// </summary>
internal abstract record Expr
{
    /// <summary>Where the node stands in its source (default for nodes built in code).</summary>
    public TextSpan Span { get; init; }

    /// <summary>The canonical text of the expression.</summary>
    public sealed override string ToString() => ExpressionPrinter.Print(this);
}
