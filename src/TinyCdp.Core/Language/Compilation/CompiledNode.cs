namespace TinyCdp.Language.Compilation;

/// <summary>A node of a compiled expression: evaluates without throwing, and explains itself.</summary>
internal abstract class CompiledNode
{
    public abstract Value Evaluate(IEvaluationContext context);
}
