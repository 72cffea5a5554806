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

    /// <summary>
    /// The earliest instant after now at which this node's value could change through the passage
    /// of time alone, not counting aggregates (the engine tracks those): <c>*_ago</c> and
    /// <c>*_since</c> unit boundaries, and what referenced traits and segments report. Conservative:
    /// every child counts, evaluated or not.
    /// </summary>
    public virtual DateTimeOffset? NextChange(IEvaluationContext context)
    {
        DateTimeOffset? earliest = null;
        foreach (var child in Children)
        {
            earliest = Earliest(earliest, child.NextChange(context));
        }

        return earliest;
    }

    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The next instant after now at which <c>floor((now − t) / unit)</c> steps, or null when out of range.</summary>
    public static DateTimeOffset? NextUnitBoundary(DateTimeOffset now, long instantTicks, long unitTicks)
    {
        var elapsed = now.UtcTicks - instantTicks;
        var steps = elapsed >= 0 ? (elapsed / unitTicks) + 1 : -((-elapsed - 1) / unitTicks);
        var next = (decimal)instantTicks + ((decimal)steps * unitTicks);
        return next > now.UtcTicks && next <= DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset((long)next, TimeSpan.Zero) : null;
    }

    public virtual Explanation Explain(IEvaluationContext context) =>
        new(Text, Evaluate(context), [.. Children.Select(child => child.Explain(context))]);
}
