namespace TinyCdp.Language;

/// <summary>A trait an expression may read: its slot in the evaluation context and its static type.</summary>
/// <param name="Slot">The index passed to <see cref="IEvaluationContext.GetTrait"/>.</param>
/// <param name="Type">The trait's static type.</param>
internal readonly record struct TraitSymbol(int Slot, ExprType Type);
