using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// Identical aggregates are maintained once: compiled into one shared <see cref="AggregateRegistry"/>,
/// equivalent spellings of a requirement get one slot, each expression lists a requirement once,
/// and a rejected expression registers nothing.
/// </summary>
public class AggregateDeduplicationProperties
{
    /// <summary>One way to write an aggregate, with the key of the requirement it means (defined here, not by the binder).</summary>
    public sealed record Spelling(string Text, string Key, bool Numeric)
    {
        public override string ToString() => Text;
    }

    private sealed record Family(string Key, bool Numeric, string[] Spellings);

    private static readonly Family[] Selectors =
    [
        new("purchase", true, ["events.purchase", "events[\"purchase\"]", "events['purchase']", "events . purchase"]),
        new("Order Completed", true, ["events[\"Order Completed\"]", "events['Order Completed']"]),
        new("in", true, ["events.in", "events[\"in\"]"]),
    ];

    private static readonly Family[] Filters =
    [
        new("-", true, [""]),
        new("amount>5", true, [".where(amount>5)", ".where(amount > 5)", ".where((amount > 5.0))", ".where(amount > 5e0)", ".where(amount>5 # five\n)"]),
        new("plan=pro", true, [".where(plan == \"pro\")", ".where(plan=='pro')", ".where((plan) == (\"pro\"))"]),
        new("amount>5&plan=pro", true,
        [
            ".where(amount > 5 && plan == \"pro\")", ".where(amount>5).where(plan=='pro')", ".where(amount > 5 and plan == 'pro')",
            ".where((amount > 5) && (plan == \"pro\"))",
        ]),
        new("amount>5&plan=pro&qty>=2", true,
        [
            ".where(amount > 5 && plan == \"pro\" && qty >= 2)", ".where(amount > 5).where(plan == \"pro\").where(qty >= 2)",
            ".where(amount > 5 && plan == \"pro\").where(qty >= 2)", ".where(amount > 5).where(plan == 'pro').where(qty>=2)",
        ]),
    ];

    private static readonly Family[] Members =
    [
        new("count/30d", true, ["count_30d", "count(30d)", "count_030d", "count( 30d )"]),
        new("count/7d", true, ["count_7d", "count(7d)"]),
        new("count/1w", true, ["count_1w", "count(1w)"]),
        new("count/all", true, ["count_all", "count(all)"]),
        new("count/90m", true, ["count_90m", "count(90m)"]),
        new("unique_days/14d", true, ["unique_days_14d", "unique_days(14d)", "unique_days(0014d)"]),
        new("sum/amount/30d", true, ["sum(amount, 30d)", "sum(amount,30d)", "sum(properties.amount, 30d)", "sum(properties[\"amount\"], 30d)", "sum(properties['amount'], 30d)"]),
        new("sum/amount/7d", true, ["sum(amount, 7d)"]),
        new("avg/item.price/7d", true, ["avg(item.price, 7d)", "avg(properties.item.price, 7d)", "avg(item[\"price\"], 7d)", "avg(properties[\"item\"][\"price\"], 7d)"]),
        new("max/order total/all", true, ["max(properties[\"order total\"], all)", "max(properties['order total'], all)"]),
        new("min/amount/30d", true, ["min(amount, 30d)"]),
        new("distinct/plan/90d", true, ["distinct(plan, 90d)", "distinct(properties.plan, 90d)"]),
        new("first/plan", false, ["first(plan)", "first(properties.plan)", "first(properties[\"plan\"])"]),
        new("last/plan", false, ["last(plan)", "last( plan )"]),
        new("first_seen", true, ["first_seen_days_ago", "first_seen_hours_ago", "first_seen_minutes_ago"]),
        new("last_seen", true, ["last_seen_days_ago", "last_seen_minutes_ago", "last_seen_hours_ago"]),
    ];

    private static readonly Family[] TopLevel =
    [
        new("*|-|first_seen", true, ["first_seen_days_ago", "first_seen_minutes_ago"]),
        new("*|-|last_seen", true, ["last_seen_hours_ago", "last_seen_days_ago"]),
    ];

    private static Gen<Spelling> SpellingOf(Family family) =>
        Gen.Elements(family.Spellings).Select(text => new Spelling(text, family.Key, family.Numeric));

    /// <summary>An aggregate member text and the key of the requirement it denotes.</summary>
    private static Gen<Spelling> Aggregate { get; } = Gen.Frequency(
        (12,
            from selector in Gen.Elements(Selectors).SelectMany(SpellingOf)
            from filter in Gen.Elements(Filters).SelectMany(SpellingOf)
            from member in Gen.Elements(Members).SelectMany(SpellingOf)
            select new Spelling($"{selector.Text}{filter.Text}.{member.Text}", $"{selector.Key}|{filter.Key}|{member.Key}", member.Numeric)),
        (1, Gen.Elements(TopLevel).SelectMany(SpellingOf)));

    /// <summary>Several expressions, each reading one to six aggregates (duplicates likely).</summary>
    private static Arbitrary<Spelling[][]> Catalogs { get; } = Arb.From(
        from count in Gen.Choose(1, 6)
        from expressions in Gen.ArrayOf(Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Aggregate, n)), count)
        select expressions);

    private static string Expression(IEnumerable<Spelling> aggregates) =>
        string.Join(" || ", aggregates.Select(a => a.Numeric ? $"{a.Text} >= 0" : $"{a.Text} == \"pro\""));

    [Property(MaxTest = 300)]
    public Property Compile_SharedRegistry_HoldsEachDistinctRequirementOnce() =>
        Prop.ForAll(Catalogs, catalog =>
        {
            var environment = new SymbolEnvironment();
            var requirementOfKey = new Dictionary<string, AggregateRequirement>(StringComparer.Ordinal);
            var slotOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var aggregates in catalog)
            {
                var source = Expression(aggregates);
                if (!ExpressionCompiler.TryCompile(source, ExpressionKind.Segment, environment, out var compiled, out var error))
                {
                    return false.Label($"rejected {source}: {error.Message}");
                }

                var keys = aggregates.Select(a => a.Key).Distinct(StringComparer.Ordinal).ToList();
                if (compiled.Requirements.Count != keys.Count || compiled.RequirementSlots.Count != keys.Count)
                {
                    return false.Label($"{source}\nexpected {keys.Count} requirements [{string.Join("; ", keys)}], got [{string.Join("; ", compiled.Requirements)}]");
                }

                if (compiled.Requirements.Distinct().Count() != compiled.Requirements.Count || compiled.RequirementSlots.Distinct().Count() != keys.Count)
                {
                    return false.Label($"{source}\nduplicate requirements [{string.Join("; ", compiled.Requirements)}]");
                }

                // Requirements are in first-use order, which is the order the keys first appear in the text.
                for (var i = 0; i < keys.Count; i++)
                {
                    var requirement = compiled.Requirements[i];
                    var slot = compiled.RequirementSlots[i];
                    if (!environment.Aggregates.TryGetSlot(requirement, out var registered) || registered != slot
                        || !environment.Aggregates.Requirements[slot].Equals(requirement))
                    {
                        return false.Label($"{source}\nslot {slot} of {requirement} is not its registry slot");
                    }

                    if (requirementOfKey.TryAdd(keys[i], requirement))
                    {
                        slotOfKey.Add(keys[i], slot);
                    }
                    else if (!requirementOfKey[keys[i]].Equals(requirement) || slotOfKey[keys[i]] != slot)
                    {
                        return false.Label($"{source}\n{keys[i]} was {requirementOfKey[keys[i]]} in slot {slotOfKey[keys[i]]}, now {requirement} in slot {slot}");
                    }
                }
            }

            var expected = catalog.SelectMany(a => a).Select(a => a.Key).Distinct(StringComparer.Ordinal).Count();
            return (environment.Aggregates.Requirements.Count == expected && slotOfKey.Values.Distinct().Count() == expected)
                .Label($"expected {expected} distinct requirements, registry holds [{string.Join("; ", environment.Aggregates.Requirements)}]");
        });

    [Property(MaxTest = 300)]
    public Property Compile_EquivalentSpellings_GetSameSlot() =>
        Prop.ForAll(Arb.From(Aggregate), Arb.From(Aggregate), (first, second) =>
        {
            var environment = new SymbolEnvironment();
            var one = ExpressionCompiler.Compile(Expression([first]), ExpressionKind.Segment, environment);
            var two = ExpressionCompiler.Compile(Expression([second]), ExpressionKind.Segment, environment);
            var same = string.Equals(first.Key, second.Key, StringComparison.Ordinal);
            return (same == (one.RequirementSlots[0] == two.RequirementSlots[0])
                    && environment.Aggregates.Requirements.Count == (same ? 1 : 2))
                .Label($"{first.Text} [{one.Requirements[0]}] vs {second.Text} [{two.Requirements[0]}]");
        });

    private static readonly string[] Errors =
    [
        "unknown_name_xyz", "trait(\"missing\")", "segment(\"missing\")", "events.purchase.count_30d == \"3\"", "events.purchase.sum(amount)",
        "events.purchase.where(amount + 1).count_30d > 0", "events.purchase.where(nope(amount)).count_30d > 0", "context.country == \"NL\"",
        "events.purchase.count(400d) > 0", "events.purchase.unique_days(2w) > 0", "events.purchase.median(amount, 7d) > 0",
        "events.purchase.count_30d", "!events.purchase.count_30d", "events.purchase > 1", "len(events.purchase.count_30d) > 1",
        "events.purchase.where(events.x.count_30d > 1).count_30d > 0", "events.purchase.where(days_since(at) > 1).count_30d > 0",
        "events.purchase.first(\"plan\") == 1",
    ];

    /// <summary>A registry already in use, then an expression whose new aggregates come before an error.</summary>
    [Property(MaxTest = 300)]
    public Property TryCompile_ErrorAfterNewAggregates_RegistersNothing() =>
        Prop.ForAll(Catalogs, Arb.From(Gen.Zip(Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Aggregate, n)), Gen.Elements(Errors))), (catalog, rejected) =>
        {
            var environment = new SymbolEnvironment { Retention = TimeSpan.FromDays(365) };
            foreach (var aggregates in catalog)
            {
                ExpressionCompiler.Compile(Expression(aggregates), ExpressionKind.Trait, environment);
            }

            var before = environment.Aggregates.Requirements.ToList();
            var fresh = rejected.Item1.Select((a, i) => a with { Text = a.Text.Replace("events.purchase", $"events.fresh_{i}", StringComparison.Ordinal) });
            var source = $"events.brand_new.where(qty > 1).count(2d) >= 0 || {Expression(fresh)} || {rejected.Item2}";
            var accepted = ExpressionCompiler.TryCompile(source, ExpressionKind.Segment, environment, out _, out var error);
            return (!accepted && error is not null && environment.Aggregates.Requirements.SequenceEqual(before))
                .Label($"{source}\naccepted: {accepted}, registry now [{string.Join("; ", environment.Aggregates.Requirements)}]");
        });
}
