using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>
/// What a draft expression would do if saved: whether it compiles against the current catalog (with
/// the error a save would give), its result type, and how many of a random sample of stored profiles
/// it matches now, with a few of them. Nothing is written.
/// </summary>
/// <param name="Error">Why the draft does not compile (the save's error); null when it compiles.</param>
/// <param name="ResultType">The draft's result type; null when it does not compile.</param>
/// <param name="Sampled">M: the profiles evaluated (the sample size, or every live profile when fewer).</param>
/// <param name="Matched">N: the sampled profiles it matches (a bool draft: true; any other trait: not null).</param>
/// <param name="Matches">Up to ten of the matched profiles, with the draft's value for each.</param>
public sealed record DefinitionPreview(ExpressionError? Error, ExprType? ResultType, int Sampled, int Matched, IReadOnlyList<PreviewMatch> Matches)
{
    /// <summary>True when the draft compiles (and was evaluated).</summary>
    public bool Compiled => Error is null;
}
