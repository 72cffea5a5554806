using TinyCdp.Definitions;
using TinyCdp.Evaluation.Bucketing;
using TinyCdp.Language;

namespace TinyCdp.Evaluation;

/// <summary>Evaluates a flag for a profile (SEMANTICS.md §5).</summary>
internal static class FlagEvaluator
{
    /// <summary>Who is asking, for bucketing: the ids the caller named.</summary>
    public readonly record struct Caller(string? UserId, string? AnonymousId);

    /// <summary>The variant a flag serves, without building a decision (no allocation).</summary>
    public static string Choose(CompiledFlag flag, ProfileEvaluationContext context, Caller caller, out DecisionReason reason, out int ruleIndex)
    {
        var definition = flag.Definition;
        ruleIndex = -1;
        if (!definition.Enabled)
        {
            reason = DecisionReason.Disabled;
            return definition.DefaultVariant;
        }

        for (var i = 0; i < flag.Rules.Count; i++)
        {
            var rule = flag.Rules[i];
            if (!rule.When.IsTrue(context))
            {
                continue;
            }

            ruleIndex = i;
            if (rule.Split is { } split)
            {
                reason = DecisionReason.Split;
                var bucket = Bucketer.Bucket(flag.Key, flag.Salt, BucketingKey(flag, context, caller));
                return Bucketer.PickVariant(bucket, split) ?? definition.DefaultVariant;
            }

            reason = DecisionReason.TargetingMatch;
            return rule.Rule.Variant!;
        }

        reason = DecisionReason.Default;
        return definition.DefaultVariant;
    }

    /// <summary>The flag's value for a variant, and whether it means "allow".</summary>
    public static bool Allows(CompiledFlag flag, string variant, int ruleIndex, out Value value)
    {
        value = flag.Definition.Variants.TryGetValue(variant, out var v) ? v : Value.Null;
        return flag.IsBoolean ? value.IsTrue : ruleIndex >= 0;
    }

    public static Decision Decide(CompiledFlag flag, ProfileEvaluationContext context, Caller caller, bool withReasons)
    {
        var variant = Choose(flag, context, caller, out var reason, out var ruleIndex);
        var allow = Allows(flag, variant, ruleIndex, out var value);
        DateTimeOffset? validUntil = null;
        var reasons = withReasons ? new List<string>() : null;
        if (reason != DecisionReason.Disabled)
        {
            // Only the rules up to the one that matched decide the answer.
            var last = ruleIndex >= 0 ? ruleIndex : flag.Rules.Count - 1;
            for (var i = 0; i <= last; i++)
            {
                var when = flag.Rules[i].When;
                validUntil = ProfileEvaluationContext.Earliest(validUntil, context.NextChange(when));
                if (reasons is not null)
                {
                    when.CollectReasons(context, reasons);
                }
            }
        }

        reasons?.Add(allow ? "final_result = true" : "final_result = false");
        return new Decision(flag.Key, value, variant, allow, reason, ruleIndex >= 0 ? ruleIndex : null, (IReadOnlyList<string>?)reasons ?? [],
            validUntil, context.Catalog.Version)
        {
            ProfileId = context.Snapshot.Id,
        };
    }

    private static string BucketingKey(CompiledFlag flag, ProfileEvaluationContext context, Caller caller)
    {
        var snapshot = context.Snapshot;
        var key = flag.Definition.BucketBy switch
        {
            BucketingKind.UserId => caller.UserId ?? snapshot.UserId,
            BucketingKind.AnonymousId => caller.AnonymousId ?? snapshot.AnonymousId,
            BucketingKind.ProfileProperty => snapshot.Properties.AsValue.Member(flag.Definition.BucketingProperty!) is { Kind: not ValueKind.Null } property
                ? property.Kind == ValueKind.String ? property.AsString! : property.ToString()
                : null,
            _ => null,
        };

        // The fallback is the profile id (or, for an unknown person, the id the caller named); it is
        // formatted only when needed, so the common path allocates nothing.
        return key ?? (snapshot.Id == Guid.Empty ? caller.UserId ?? caller.AnonymousId ?? "" : snapshot.Id.ToString("N"));
    }
}
