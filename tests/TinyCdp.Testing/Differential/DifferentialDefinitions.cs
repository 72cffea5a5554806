using System.Globalization;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Testing.Differential;

/// <summary>A trait: its expression for the engine and a hand-written oracle for the same meaning.</summary>
public sealed record TraitCase(string Key, string Expression, Func<OracleView, Value> Expected);

/// <summary>A segment: its rule for the engine and the oracle.</summary>
public sealed record SegmentCase(string Key, string Rule, Func<OracleView, bool> Expected);

/// <summary>A flag: its definition for the engine and, per rule, the oracle of its condition.</summary>
public sealed record FlagCase(FlagDefinition Definition, IReadOnlyList<Func<OracleView, bool>> RuleOracles)
{
    /// <summary>SEMANTICS.md §5 evaluation with the rule oracles (splits here are single-variant 100%).</summary>
    public ExpectedDecision Expected(OracleView view)
    {
        var flag = Definition;
        if (!flag.Enabled)
        {
            return Make(flag.DefaultVariant, DecisionReason.Disabled, null);
        }

        for (var i = 0; i < flag.Rules.Count; i++)
        {
            if (!RuleOracles[i](view))
            {
                continue;
            }

            var rule = flag.Rules[i];
            return rule.Split is { } split
                ? Make(split.Single(s => s.Value > 0).Key, DecisionReason.Split, i)
                : Make(rule.Variant!, DecisionReason.TargetingMatch, i);
        }

        return Make(flag.DefaultVariant, DecisionReason.Default, null);

        ExpectedDecision Make(string variant, DecisionReason reason, int? ruleIndex)
        {
            var value = flag.Variants[variant];
            var boolean = flag.Variants.Values.All(v => v.Kind == ValueKind.Bool);
            return new ExpectedDecision(variant, value, boolean ? value.IsTrue : ruleIndex is not null, reason, ruleIndex);
        }
    }
}

/// <summary>The part of a decision the oracle predicts.</summary>
public sealed record ExpectedDecision(string Variant, Value Value, bool Allow, DecisionReason Reason, int? RuleIndex)
{
    public static ExpectedDecision Of(Decision decision) =>
        new(decision.Variant, decision.Value, decision.Allow, decision.Reason, decision.RuleIndex);

    public bool SameAnswer(ExpectedDecision other) => Variant == other.Variant && Allow == other.Allow && Value == other.Value;
}

/// <summary>
/// The family of definitions the differential tests save: one trait per aggregate form (windows,
/// filters, properties, first/last, seen-ago, profile), segments over traits and segments, and
/// flags over segments and traits (targeting, default, disabled, split).
/// </summary>
public sealed class DifferentialDefinitions
{
    /// <summary>Windows whose edges the final checks aim at.</summary>
    public static readonly TimeSpan[] EdgeWindows =
    [
        TimeSpan.FromHours(24), TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromMinutes(90), TimeSpan.FromDays(14),
        TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), TimeSpan.FromDays(3), TimeSpan.FromDays(1),
    ];

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public DifferentialDefinitions(DefinitionParams parameters)
    {
        var k = parameters.FrequentCount;
        var big = parameters.BigAmount;
        var spender = parameters.SpenderSum;
        var bigText = big.ToString("R", CultureInfo.InvariantCulture);
        var spenderText = spender.ToString("R", CultureInfo.InvariantCulture);

        Traits =
        [
            new("cnt7", "events.purchase.count_7d", v => N(v.Count("purchase", Days(7)))),
            new("freq", $"events.purchase.count_7d >= {k}", v => B(v.Count("purchase", Days(7)) >= k)),
            new("sum30", "events.purchase.sum(amount, 30d)", v => v.Sum("purchase", "amount", Days(30))),
            new("avg_all", "events.purchase.avg(amount, all)", v => v.Average("purchase", "amount", null)),
            new("min24", "events.purchase.min(amount, 24h)", v => v.Min("purchase", "amount", Hour * 24)),
            new("max90", "events.purchase.max(amount, 90m)", v => v.Max("purchase", "amount", Minute * 90)),
            new("big24", $"events.purchase.where(amount > {bigText}).count(24h)",
                v => N(v.Count("purchase", Hour * 24, p => p.Member("amount").TryGetNumber(out var a) && a > big))),
            new("days7", "events.app_open.unique_days_7d", v => N(v.UniqueDays("app_open", 7))),
            new("lsh", "last_seen_hours_ago", v => v.LastSeenAgo(null, Hour)),
            new("fsd", "first_seen_days_ago", v => v.FirstSeenAgo(null, Day)),
            new("plan", "profile.plan", v => v.Profile("plan")),
            new("pro", "profile.plan == \"pro\"", v => B(v.Profile("plan") == Value.String("pro"))),
            new("first_plan", "events.purchase.first(plan)", v => v.First("purchase", "plan")),
            new("last_amount", "events.purchase.last(amount)", v => v.Last("purchase", "amount")),
            new("dist2w", "events.purchase.distinct(amount, 2w)", v => N(v.Distinct("purchase", "amount", Days(14)))),
            new("signup_min", "events.signup.last_seen_minutes_ago", v => v.LastSeenAgo("signup", Minute)),
            new("signup_first_h", "events.signup.first_seen_hours_ago", v => v.FirstSeenAgo("signup", Hour)),
            new("pages", "events[\"$page\"].count_all", v => N(v.Count("$page", null))),
            new("last_page", "events[\"$page\"].last(name)", v => v.Last("$page", "name")),
            new("screens_24h", "events[\"$screen\"].count(24h)", v => N(v.Count("$screen", Hour * 24))),
            new("same_plan", "events.purchase.where(plan == profile.plan).count(30d)",
                v => N(v.Count("purchase", Days(30), p => p.Member("plan") == v.Profile("plan")))),
            new("email", "profile.email", v => v.Profile("email")),
            new("city", "profile.address.city", v => OracleView.PathOf(v.Properties, "address.city")),
            new("item_max", "events.purchase.max(item.price, 7d)", v => v.Max("purchase", "item.price", Days(7))),
            new("mix", "events.purchase.count_all + events.app_open.count(24h) * 2",
                v => N(v.Count("purchase", null) + (v.Count("app_open", Hour * 24) * 2))),
        ];

        bool Frequent(OracleView v) => v.Count("purchase", Days(7)) >= k;
        bool Pro(OracleView v) => v.Profile("plan") == Value.String("pro");
        bool Spender(OracleView v) => (v.Sum("purchase", "amount", Days(30)).TryGetNumber(out var s) && s >= spender) || Frequent(v);

        Segments =
        [
            new("s_freq", "freq == true", Frequent),
            new("s_pro_recent", "pro == true && last_seen_days_ago < 3",
                v => Pro(v) && v.LastSeenAgo(null, Day).TryGetNumber(out var d) && d < 3),
            new("s_spender", $"events.purchase.sum(amount, 30d) >= {spenderText} || segment(\"s_freq\")", Spender),
        ];

        Flags =
        [
            new(FlagDefinition.FromRule("f_beta", "segment(\"s_freq\")"), [Frequent]),
            new(new FlagDefinition
            {
                Key = "f_tier",
                Variants = new Dictionary<string, Value>(StringComparer.Ordinal)
                {
                    ["gold"] = Value.String("G"), ["silver"] = Value.String("S"), ["none"] = Value.String("N"),
                },
                Rules =
                [
                    new FlagRule("segment(\"s_spender\")") { Variant = "gold" },
                    new FlagRule("trait(\"cnt7\") >= 1 && events.app_open.unique_days_7d >= 2") { Variant = "silver" },
                ],
                DefaultVariant = "none",
            }, [Spender, v => v.Count("purchase", Days(7)) >= 1 && v.UniqueDays("app_open", 7) >= 2]),
            new(FlagDefinition.FromRule("f_off", "true") with { Enabled = false }, [_ => true]),
            new(new FlagDefinition
            {
                Key = "f_split",
                Variants = new Dictionary<string, Value>(StringComparer.Ordinal) { ["x"] = Value.Number(1), ["y"] = Value.Number(2) },
                Rules = [new FlagRule("pro == true") { Split = [KeyValuePair.Create("x", 100.0)] }],
                DefaultVariant = "y",
            }, [Pro]),
            new(FlagDefinition.FromRule("f_plan", "profile.plan in [\"pro\", \"team\"] || lsh == 0"),
                [v => v.Profile("plan") == Value.String("pro") || v.Profile("plan") == Value.String("team")
                    || (v.LastSeenAgo(null, Hour).TryGetNumber(out var h) && h == 0)]),
        ];
    }

    public IReadOnlyList<TraitCase> Traits { get; }

    public IReadOnlyList<SegmentCase> Segments { get; }

    public IReadOnlyList<FlagCase> Flags { get; }

    /// <summary>Saves every definition (traits, then segments, then flags); throws when the engine refuses one.</summary>
    public async Task SaveAsync(ITinyCdp cdp)
    {
        foreach (var trait in Traits)
        {
            Check(await cdp.Definitions.SaveTraitAsync(new TraitDefinition(trait.Key, trait.Expression)), trait.Key);
        }

        foreach (var segment in Segments)
        {
            Check(await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition(segment.Key, segment.Rule)), segment.Key);
        }

        foreach (var flag in Flags)
        {
            Check(await cdp.Definitions.SaveFlagAsync(flag.Definition), flag.Definition.Key);
        }

        static void Check(DefinitionResult result, string key)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"saving {key} failed: {result.Error}");
            }
        }
    }

    private static TimeSpan Days(int days) => TimeSpan.FromDays(days);

    private static Value N(double number) => Value.Number(number);

    private static Value B(bool value) => Value.Bool(value);
}
