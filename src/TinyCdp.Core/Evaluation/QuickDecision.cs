using TinyCdp.Language;

namespace TinyCdp.Evaluation;

/// <summary>A decision without reasons or validity, from <see cref="ITinyCdp.TryDecide"/>: no allocation.</summary>
/// <param name="Variant">The served variant.</param>
/// <param name="Value">Its value.</param>
/// <param name="Allow">For a boolean flag, its value; otherwise whether a rule matched.</param>
/// <param name="Reason">Why.</param>
/// <param name="RuleIndex">The matching rule's index, or -1.</param>
public readonly record struct QuickDecision(string Variant, Value Value, bool Allow, DecisionReason Reason, int RuleIndex);
