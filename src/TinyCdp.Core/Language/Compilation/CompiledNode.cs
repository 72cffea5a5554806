namespace TinyCdp.Language.Compilation;

/// <summary>
/// A node of a compiled expression. <see cref="Evaluate"/> never throws for any context; the
/// explanation repeats the evaluation, recording each node's text and value.
/// </summary>
internal abstract class CompiledNode(string text, ExprType type, CompiledNode[]? children = null)
{
    /// <summary>The operands, built once: the decide path walks them on every request.</summary>
    private readonly CompiledNode[] _children = children ?? [];

    /// <summary>The canonical source text of the node.</summary>
    public string Text { get; } = text;

    /// <summary>The static type.</summary>
    public ExprType Type { get; } = type;

    public IReadOnlyList<CompiledNode> Children => _children;

    /// <summary>The operands as the array they were given in.</summary>
    protected CompiledNode[] Operands => _children;

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
        foreach (var child in _children)
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

    public virtual Explanation Explain(IEvaluationContext context)
    {
        if (_children.Length == 0)
        {
            return new(Text, Evaluate(context), []);
        }

        var explained = new Explanation[_children.Length];
        for (var i = 0; i < _children.Length; i++)
        {
            explained[i] = _children[i].Explain(context);
        }

        return new(Text, Evaluate(context), explained);
    }

    /// <summary>
    /// Adds the seed's reason lines for this node to <paramref name="reasons"/> (skipping lines
    /// already there), exactly those that walking <see cref="Explain"/>'s tree would give: one per
    /// trait or segment reference (<c>trait(x) = v</c>) and per aggregate read (<c>text = v</c>), in
    /// evaluation order, short-circuited operands left out. Builds no explanation: a decide with
    /// reasons calls this on every request.
    /// </summary>
    public virtual void CollectReasons(IEvaluationContext context, List<string> reasons)
    {
        foreach (var child in _children)
        {
            child.CollectReasons(context, reasons);
        }
    }
}

/// <summary>
/// The reason line of one trait, segment or aggregate node, <c>name = value</c>: its constant parts
/// built once per node, and the whole line for <c>true</c>, <c>false</c> and <c>null</c>.
/// </summary>
internal sealed class ReasonLine(string name)
{
    private readonly string _prefix = name + " = ";
    private readonly string _true = name + " = true";
    private readonly string _false = name + " = false";
    private readonly string _null = name + " = null";

    /// <summary>The line for a value; formatted as <see cref="Value.ToString"/> formats it.</summary>
    public string For(Value value) => value.Kind switch
    {
        ValueKind.Null => _null,
        ValueKind.Bool => value.IsTrue ? _true : _false,
        ValueKind.Number when value.TryGetNumber(out var number) =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_prefix}{number:R}"),
        _ => _prefix + value.ToString(),
    };

    /// <summary>Adds the line for a value unless it is already there.</summary>
    public void AddTo(List<string> reasons, Value value)
    {
        var line = For(value);
        if (!reasons.Contains(line))
        {
            reasons.Add(line);
        }
    }
}
