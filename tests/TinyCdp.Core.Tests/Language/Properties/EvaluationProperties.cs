using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// LANGUAGE.md: "Evaluation never throws and never runs code". Every well-typed text compiles,
/// and evaluating or explaining it against any context gives a value whose numbers are finite.
/// </summary>
public class EvaluationProperties
{
    private static readonly TypedTextGenerator Rules = new(flag: false);
    private static readonly TypedTextGenerator FlagRules = new(flag: true);

    public sealed record Case(ExpressionKind Kind, string Source)
    {
        public override string ToString() => $"{Kind}: {Source}";
    }

    private static Arbitrary<Case> Cases { get; } = Arb.From(Gen.OneOf(
        Rules.Root(ExpressionKind.Trait).Select(source => new Case(ExpressionKind.Trait, source)),
        Rules.Root(ExpressionKind.Segment).Select(source => new Case(ExpressionKind.Segment, source)),
        FlagRules.Root(ExpressionKind.Flag).Select(source => new Case(ExpressionKind.Flag, source))));

    private static Arbitrary<RandomEvaluationContext[]> Contexts { get; } = Arb.From(Gen.ArrayOf(RandomEvaluationContext.Generator, 4));

    [Property(MaxTest = 1000)]
    public Property TryCompile_WellTypedText_Succeeds() =>
        Prop.ForAll(Cases, testCase =>
        {
            var compiled = ExpressionCompiler.TryCompile(testCase.Source, testCase.Kind, TypedTextGenerator.Environment(), out _, out var error);
            return compiled.Label(error?.Message ?? "");
        });

    [Property(MaxTest = 500)]
    public Property Evaluate_WellTypedTextOnAnyContext_NeverThrowsAndGivesFiniteValues() =>
        Prop.ForAll(Cases, Contexts, (testCase, contexts) =>
        {
            if (!ExpressionCompiler.TryCompile(testCase.Source, testCase.Kind, TypedTextGenerator.Environment(), out var compiled, out var error))
            {
                return false.Label($"rejected: {error.Message}");
            }

            foreach (var context in contexts)
            {
                if (Problem(compiled, context) is { } problem)
                {
                    return false.Label($"{problem}\ncanonical: {compiled.Text}\ncontext: {context}");
                }
            }

            return true.ToProperty();
        });

    [Property(MaxTest = 300)]
    public Property Evaluate_CanonicalTextOfWellTypedText_GivesSameValue() =>
        Prop.ForAll(Cases, Contexts, (testCase, contexts) =>
        {
            var environment = TypedTextGenerator.Environment();
            var original = ExpressionCompiler.Compile(testCase.Source, testCase.Kind, environment);
            var canonical = ExpressionCompiler.Compile(original.Text, testCase.Kind, environment);
            return (contexts.All(context => original.Evaluate(context).Equals(canonical.Evaluate(context)))
                    && original.Requirements.SequenceEqual(canonical.Requirements)
                    && original.RequirementSlots.SequenceEqual(canonical.RequirementSlots))
                .Label($"canonical: {original.Text}");
        });

    /// <summary>What goes wrong evaluating <paramref name="compiled"/> on <paramref name="context"/>, or null.</summary>
    private static string? Problem(CompiledExpression compiled, IEvaluationContext context)
    {
        Value value;
        Explanation explanation;
        try
        {
            value = compiled.Evaluate(context);
            if (!compiled.Evaluator(context).Equals(value))
            {
                return "Evaluator and Evaluate disagree";
            }

            if (compiled.Kind != ExpressionKind.Trait && compiled.IsTrue(context) != value.IsTrue)
            {
                return "IsTrue disagrees with Evaluate";
            }

            explanation = compiled.Explain(context);
            _ = explanation.ToString();
        }
        catch (Exception exception)
        {
            return $"threw {exception.GetType().Name}: {exception.Message}";
        }

        if (!IsFinite(value))
        {
            return $"non-finite result {value}";
        }

        if (!explanation.Value.Equals(value))
        {
            return $"explanation value {explanation.Value} differs from value {value}";
        }

        return Nodes(explanation).FirstOrDefault(node => !IsFinite(node.Value) || node.WindowStart > node.WindowEnd) is { } bad
            ? $"bad explanation node {bad}"
            : null;
    }

    private static IEnumerable<Explanation> Nodes(Explanation node) => node.Children.SelectMany(Nodes).Prepend(node);

    private static bool IsFinite(Value value) => value.Kind switch
    {
        ValueKind.Number => double.IsFinite(value.AsNumber),
        ValueKind.List => value.Items.ToArray().All(IsFinite),
        ValueKind.Object => value.Properties!.Values.All(IsFinite),
        _ => true,
    };
}
