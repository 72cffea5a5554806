using TinyCdp.Language.Compilation;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Language;

/// <summary>
/// A parsed, type-checked and compiled expression: its canonical text, its result type and the
/// traits and segments it reads. Evaluation (inside the engine) never parses, never throws and runs
/// no code but the language's own operators. Immutable and safe to share between threads.
/// </summary>
public sealed class CompiledExpression
{
    private readonly CompiledNode _root;

    internal CompiledExpression(string source, Expr syntax, ExpressionKind kind, CompiledNode root,
        IReadOnlyList<AggregateRequirement> requirements, IReadOnlyList<int> slots,
        IReadOnlyCollection<string> traitReferences, IReadOnlyCollection<string> segmentReferences,
        bool readsContext, bool readsClock, bool readsProfile)
    {
        Source = source;
        Syntax = syntax;
        Kind = kind;
        _root = root;
        Requirements = requirements;
        RequirementSlots = slots;
        TraitReferences = traitReferences;
        SegmentReferences = segmentReferences;
        ReadsContext = readsContext;
        ReadsClock = readsClock;
        ReadsProfile = readsProfile;
        Evaluator = root.Evaluate;
    }

    /// <summary>The text as written.</summary>
    public string Source { get; }

    /// <summary>The syntax tree.</summary>
    internal Expr Syntax { get; }

    /// <summary>The canonical text.</summary>
    public string Text => Syntax.ToString();

    /// <summary>What the expression is for.</summary>
    public ExpressionKind Kind { get; }

    /// <summary>The static type of the result.</summary>
    public ExprType ResultType => _root.Type;

    /// <summary>The distinct aggregates this expression reads, in first-use order.</summary>
    internal IReadOnlyList<AggregateRequirement> Requirements { get; }

    /// <summary>The registry slot of each entry of <see cref="Requirements"/>.</summary>
    internal IReadOnlyList<int> RequirementSlots { get; }

    /// <summary>The traits read (bare names and <c>trait("...")</c>).</summary>
    public IReadOnlyCollection<string> TraitReferences { get; }

    /// <summary>The segments read with <c>segment("...")</c>.</summary>
    public IReadOnlyCollection<string> SegmentReferences { get; }

    /// <summary>True when the expression reads <c>context.*</c>.</summary>
    internal bool ReadsContext { get; }

    /// <summary>True when the value can change with the passage of time alone (windows, <c>*_ago</c>, <c>*_since</c>).</summary>
    internal bool ReadsClock { get; }

    /// <summary>True when the expression reads profile properties.</summary>
    internal bool ReadsProfile { get; }

    /// <summary>The compiled evaluation as a delegate.</summary>
    internal Func<IEvaluationContext, Value> Evaluator { get; }

    /// <summary>Evaluates against a context. Never throws.</summary>
    internal Value Evaluate(IEvaluationContext context) => _root.Evaluate(context);

    /// <summary>Evaluates in a boolean position: true only when the value is <c>true</c>.</summary>
    internal bool IsTrue(IEvaluationContext context) => _root.Evaluate(context).IsTrue;

    /// <summary>
    /// The earliest instant after <see cref="IEvaluationContext.Now"/> at which the value could change
    /// through time alone, not counting aggregate windows (which the engine tracks per profile):
    /// <c>*_ago</c> and <c>*_since</c> unit boundaries, and what referenced traits and segments report.
    /// Null when nothing of that kind can change it.
    /// </summary>
    internal DateTimeOffset? NextChange(IEvaluationContext context) => _root.NextChange(context);

    /// <summary>Evaluates and records why: every evaluated node's text and value.</summary>
    internal Explanation Explain(IEvaluationContext context) => _root.Explain(context);

    /// <summary>
    /// Adds the seed's reason lines (<c>trait(x) = v</c>, <c>segment(x) = v</c>, <c>aggregate = v</c>)
    /// that <see cref="Explain"/>'s tree holds, in evaluation order and without duplicates, without
    /// building the tree.
    /// </summary>
    internal void CollectReasons(IEvaluationContext context, List<string> reasons) => _root.CollectReasons(context, reasons);

    /// <inheritdoc />
    public override string ToString() => Text;
}
