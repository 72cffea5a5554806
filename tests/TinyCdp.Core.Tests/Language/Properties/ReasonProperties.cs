using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// A decide's reason lines are collected straight from the compiled nodes, without building an
/// explanation; they must be exactly the lines the explanation tree gives (one per trait or segment
/// reference and per aggregate read, in evaluation order, short-circuited operands left out, no
/// duplicates), for any well-typed text on any context.
/// </summary>
public class ReasonProperties
{
    private static readonly TypedTextGenerator Rules = new(flag: false);
    private static readonly TypedTextGenerator FlagRules = new(flag: true);

    private static Arbitrary<(ExpressionKind Kind, string Source)> Cases { get; } = Arb.From(Gen.OneOf(
        Rules.Root(ExpressionKind.Trait).Select(source => (ExpressionKind.Trait, source)),
        Rules.Root(ExpressionKind.Segment).Select(source => (ExpressionKind.Segment, source)),
        FlagRules.Root(ExpressionKind.Flag).Select(source => (ExpressionKind.Flag, source))));

    private static Arbitrary<RandomEvaluationContext[]> Contexts { get; } = Arb.From(Gen.ArrayOf(RandomEvaluationContext.Generator, 4));

    [Property(MaxTest = 500)]
    public Property CollectReasons_AnyText_SameLinesAsTheExplanationTree() =>
        Prop.ForAll(Cases, Contexts, (testCase, contexts) =>
        {
            var compiled = ExpressionCompiler.Compile(testCase.Source, testCase.Kind, TypedTextGenerator.Environment());
            foreach (var context in contexts)
            {
                // Lines already present (from an earlier rule of the same flag) are not repeated.
                var collected = new List<string> { "trait(total_spent) = 0" };
                compiled.CollectReasons(context, collected);
                var expected = new List<string> { "trait(total_spent) = 0" };
                FromExplanation(compiled.Explain(context), expected);
                if (!collected.SequenceEqual(expected))
                {
                    return false.Label($"canonical: {compiled.Text}\ncollected: {string.Join(" | ", collected)}\nexplained: {string.Join(" | ", expected)}\ncontext: {context}");
                }
            }

            return true.ToProperty();
        });

    [Fact]
    public void CollectReasons_ReferencesAndAggregates_SeedLines()
    {
        var environment = TypedTextGenerator.Environment();
        var compiled = ExpressionCompiler.Compile(
            "segment(\"vip_users\") || (trait(\"total_spent\") >= 100 && events.purchase.count_30d > 2 && trait(\"is_vip\") != null)",
            ExpressionKind.Flag, environment);
        var context = new TestEvaluationContext(
            """{"aggregates": {"events.purchase.count(30d)": 3}, "traits": {"total_spent": 150.5, "is_vip": true}}""", compiled, environment);
        var reasons = new List<string>();
        compiled.CollectReasons(context, reasons);
        var expected = new List<string>();
        FromExplanation(compiled.Explain(context), expected);
        Assert.Equal(expected, reasons);
        Assert.Equal(4, reasons.Count);
        Assert.Equal("segment(vip_users) = false", reasons[0]);
        Assert.Equal("trait(total_spent) = 150.5", reasons[1]);
        Assert.EndsWith(" = 3", reasons[2], StringComparison.Ordinal);
        Assert.Equal("trait(is_vip) = true", reasons[3]);
    }

    /// <summary>The reference: the seed's lines read off the explanation tree.</summary>
    private static void FromExplanation(Explanation explanation, List<string> reasons)
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
            FromExplanation(child, reasons);
        }
    }
}
