using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language;

public class GoldenCaseTests
{
    public static IEnumerable<object[]> CanonicalCases => GoldenCases.Load("canonical.cases");

    public static IEnumerable<object[]> ErrorCases => GoldenCases.Load("errors.cases");

    public static IEnumerable<object[]> ValueCases => GoldenCases.Load("values.cases");

    /// <summary><c>input ==> canonical form</c>; the canonical form parses to the same tree.</summary>
    [Theory]
    [MemberData(nameof(CanonicalCases))]
    public void Print_ParsedInput_IsCanonicalForm(GoldenCases.Case testCase)
    {
        var parsed = ExpressionParser.Parse(testCase.Input);

        Assert.Equal(testCase.Expected, parsed.ToString());
        Assert.Equal(parsed, ExpressionParser.Parse(testCase.Expected));
    }

    /// <summary><c>input ==> exact error message</c> (which includes line and column); the span must lie inside the input.</summary>
    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Compile_InvalidInput_FailsWithExactMessage(GoldenCases.Case testCase)
    {
        var environment = GoldenCases.Environment(testCase.Kind, testCase.Retention);
        var before = environment.Aggregates.Requirements.Count;

        var ok = ExpressionCompiler.TryCompile(testCase.Input, testCase.Kind, environment, out var compiled, out var error);

        Assert.False(ok, $"compiled to {compiled}");
        Assert.Equal(testCase.Expected, error!.Message);
        Assert.InRange(error.Span.Start, 0, testCase.Input.Length);
        Assert.InRange(error.Span.End, error.Span.Start, testCase.Input.Length);
        Assert.Equal(before, environment.Aggregates.Requirements.Count);
    }

    /// <summary><c>expression ;; context-json ==> value-json</c>.</summary>
    [Theory]
    [MemberData(nameof(ValueCases))]
    public void Evaluate_Expression_GivesExpectedValue(GoldenCases.Case testCase)
    {
        var parts = testCase.Input.Split(" ;; ", 2);
        var environment = GoldenCases.Environment(testCase.Kind, testCase.Retention);
        var compiled = ExpressionCompiler.Compile(parts[0], testCase.Kind, environment);
        var context = new TestEvaluationContext(parts.Length > 1 ? parts[1] : null, compiled, environment);

        var value = compiled.Evaluate(context);

        Assert.Equal(Value.ParseJson(testCase.Expected), value);
        Assert.Equal(value, compiled.Explain(context).Value);
    }
}
