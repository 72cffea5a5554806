using TinyCdp.Language;

namespace TinyCdp.Evaluation;

/// <summary>
/// The answer to "should this user see feature X?": the variant and its value, why, and until when
/// the answer holds if nothing new arrives.
/// </summary>
/// <param name="Flag">The flag key.</param>
/// <param name="Value">The served variant's value.</param>
/// <param name="Variant">The served variant.</param>
/// <param name="Allow">For a boolean flag, its value; otherwise whether a rule matched.</param>
/// <param name="Reason">Why (OpenFeature reason).</param>
/// <param name="RuleIndex">The index of the rule that matched, if one did.</param>
/// <param name="Reasons">The seed's explanation lines: <c>segment(vip_users) = true</c>, …, <c>final_result = true</c>.</param>
/// <param name="ValidUntil">The earliest instant the answer could change with no new message; null when it cannot.</param>
/// <param name="CatalogVersion">The catalog version the decision was made with.</param>
public sealed record Decision(
    string Flag,
    Value Value,
    string Variant,
    bool Allow,
    DecisionReason Reason,
    int? RuleIndex,
    IReadOnlyList<string> Reasons,
    DateTimeOffset? ValidUntil,
    long CatalogVersion)
{
    /// <summary>The profile evaluated (<see cref="Guid.Empty"/> for an unknown user).</summary>
    public Guid ProfileId { get; init; }

    /// <summary>The OpenFeature reason text: <c>TARGETING_MATCH</c>, <c>SPLIT</c>, <c>DEFAULT</c> or <c>DISABLED</c>.</summary>
    public string ReasonText => Reason switch
    {
        DecisionReason.TargetingMatch => "TARGETING_MATCH",
        DecisionReason.Split => "SPLIT",
        DecisionReason.Disabled => "DISABLED",
        _ => "DEFAULT",
    };
}
