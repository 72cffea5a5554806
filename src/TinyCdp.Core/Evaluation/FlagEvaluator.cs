using TinyCdp.Definitions;
using TinyCdp.Evaluation.Bucketing;
using TinyCdp.Language;

namespace TinyCdp.Evaluation;

/// <summary>Evaluates a flag for a profile (SEMANTICS.md §5).</summary>
internal static class FlagEvaluator
{
    /// <summary>Who is asking, for bucketing: the ids the caller named.</summary>
    public readonly record struct Caller(string? UserId, string? AnonymousId);

    public static Decision Decide(CompiledFlag flag, ProfileEvaluationContext context, Caller caller, bool withReasons)
    {
        var definition = flag.Definition;
        var reasons = withReasons ? new List<string>() : null;
        DateTimeOffset? validUntil = null;
        if (!definition.Enabled)
        {
            return Make(definition.DefaultVariant, DecisionReason.Disabled, null);
        }

        for (var i = 0; i < flag.Rules.Count; i++)
        {
            var rule = flag.Rules[i];
            validUntil = ProfileEvaluationContext.Earliest(validUntil, context.NextChange(rule.When));
            if (reasons is not null)
            {
                CollectReasons(rule.When.Explain(context), reasons);
            }

            if (!rule.When.IsTrue(context))
            {
                continue;
            }

            if (rule.Split is { } split)
            {
                var bucket = Bucketer.Bucket(flag.Key, flag.Salt, BucketingKey(flag, context, caller));
                var variant = Bucketer.PickVariant(bucket, split) ?? definition.DefaultVariant;
                return Make(variant, DecisionReason.Split, i);
            }

            return Make(rule.Rule.Variant!, DecisionReason.TargetingMatch, i);
        }

        return Make(definition.DefaultVariant, DecisionReason.Default, null);

        Decision Make(string variant, DecisionReason reason, int? ruleIndex)
        {
            var value = definition.Variants.TryGetValue(variant, out var v) ? v : Value.Null;
            var allow = IsBoolean(definition) ? value.IsTrue : ruleIndex is not null;
            reasons?.Add($"final_result = {(allow ? "true" : "false")}");
            return new Decision(flag.Key, value, variant, allow, reason, ruleIndex, (IReadOnlyList<string>?)reasons ?? [],
                reason == DecisionReason.Disabled ? null : validUntil, context.Catalog.Version)
            {
                ProfileId = context.Snapshot.Id,
            };
        }
    }

    /// <summary>True when every variant's value is a bool: then <c>allow</c> is the value.</summary>
    public static bool IsBoolean(FlagDefinition flag) => flag.Variants.Values.All(v => v.Kind == ValueKind.Bool);

    private static string BucketingKey(CompiledFlag flag, ProfileEvaluationContext context, Caller caller)
    {
        var snapshot = context.Snapshot;
        var fallback = snapshot.Id == Guid.Empty ? caller.UserId ?? caller.AnonymousId ?? "" : snapshot.Id.ToString("N");
        return flag.Definition.BucketBy switch
        {
            BucketingKind.UserId => caller.UserId ?? snapshot.UserId ?? fallback,
            BucketingKind.AnonymousId => caller.AnonymousId ?? snapshot.AnonymousId ?? fallback,
            BucketingKind.ProfileProperty => snapshot.Properties.AsValue.Member(flag.Definition.BucketingProperty!) is { Kind: not ValueKind.Null } property
                ? property.Kind == ValueKind.String ? property.AsString! : property.ToString()
                : fallback,
            _ => fallback,
        };
    }

    /// <summary>The seed's reason lines: one per trait or segment reference and per aggregate read, in evaluation order.</summary>
    private static void CollectReasons(Explanation explanation, List<string> reasons)
    {
        var line = explanation.Reference is { } reference ? $"{reference} = {explanation.Value}"
            : explanation.WindowEnd is not null ? $"{explanation.Text} = {explanation.Value}"
            : null;
        if (line is not null)
        {
            if (!reasons.Contains(line))
            {
                reasons.Add(line);
            }

            return;
        }

        foreach (var child in explanation.Children)
        {
            CollectReasons(child, reasons);
        }
    }
}
