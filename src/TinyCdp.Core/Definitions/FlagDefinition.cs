using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>
/// A feature flag (SEMANTICS.md §5): a kill switch, typed variants, ordered rules and a default.
/// The seed's <c>{key, rule}</c> form is <see cref="FromRule"/>.
/// </summary>
public sealed record FlagDefinition
{
    /// <summary>The variants every flag has unless it names its own: <c>on = true</c>, <c>off = false</c>.</summary>
    public static IReadOnlyDictionary<string, Value> BooleanVariants { get; } =
        new Dictionary<string, Value>(StringComparer.Ordinal) { ["on"] = Value.True, ["off"] = Value.False };

    /// <summary>The key.</summary>
    public required string Key { get; init; }

    /// <summary>False turns the flag off for everyone: it serves <see cref="DefaultVariant"/> with reason DISABLED.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Variant name → value (any JSON). Defaults to <see cref="BooleanVariants"/>.</summary>
    public IReadOnlyDictionary<string, Value> Variants { get; init; } = BooleanVariants;

    /// <summary>The rules, tried in order; the first whose condition is true decides.</summary>
    public IReadOnlyList<FlagRule> Rules { get; init; } = [];

    /// <summary>The variant served when disabled or when no rule matches.</summary>
    public string DefaultVariant { get; init; } = "off";

    /// <summary>Mixed into the bucketing hash; changing it reshuffles every split of this flag. Defaults to the key.</summary>
    public string? Salt { get; init; }

    /// <summary>What splits bucket by.</summary>
    public BucketingKind BucketBy { get; init; } = BucketingKind.UserId;

    /// <summary>The profile property to bucket by, with <see cref="BucketingKind.ProfileProperty"/>.</summary>
    public string? BucketingProperty { get; init; }

    /// <summary>What the flag is for, for people.</summary>
    public string? Description { get; init; }

    /// <summary>The seed's form: serve <c>on</c> when <paramref name="rule"/> holds, else <c>off</c>.</summary>
    public static FlagDefinition FromRule(string key, string rule) =>
        new() { Key = key, Rules = [new FlagRule(rule) { Variant = "on" }], DefaultVariant = "off" };
}
