namespace TinyCdp.Language.Compilation;

/// <summary>
/// A node of a compiled expression. <see cref="Evaluate"/> never throws for any context; the
/// explanation repeats the evaluation, recording each node's text and value.
/// </summary>
internal abstract class CompiledNode(string text, ExprType type)
{
    private static readonly CompiledNode[] NoChildren = [];

    /// <summary>The canonical source text of the node.</summary>
    public string Text { get; } = text;

    /// <summary>The static type.</summary>
    public ExprType Type { get; } = type;

    public virtual IReadOnlyList<CompiledNode> Children => NoChildren;

    public abstract Value Evaluate(IEvaluationContext context);

    public virtual Explanation Explain(IEvaluationContext context) =>
        new(Text, Evaluate(context), [.. Children.Select(child => child.Explain(context))]);
}
