using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language;

public class CompilerApiTests
{
    private static SymbolEnvironment Environment() => GoldenCases.Environment(ExpressionKind.Flag, null);

    [Fact]
    public void Parse_InvalidText_ThrowsTinyCdpExceptionWithPositionedError()
    {
        var exception = Assert.Throws<TinyCdpException>(() => ExpressionParser.Parse("events.purchase.count_30d >= "));

        Assert.Equal(TinyCdpErrorCode.InvalidExpression, exception.Code);
        Assert.Equal("Syntax error (line 1, column 30): unexpected end of input, expected a number, string, name or '('.", exception.Message);
        Assert.Equal(new TextSpan(29, 29), exception.ExpressionError!.Span);
        Assert.Equal((1, 30), (exception.ExpressionError.Line, exception.ExpressionError.Column));
    }

    [Fact]
    public void Compile_InvalidExpression_ThrowsWithTheSameErrorAsTryCompile()
    {
        Assert.False(ExpressionCompiler.TryCompile("frequnt_buyer", ExpressionKind.Segment, Environment(), out _, out var error));

        var exception = Assert.Throws<TinyCdpException>(() => ExpressionCompiler.Compile("frequnt_buyer", ExpressionKind.Segment, Environment()));

        Assert.Equal(error.Message, exception.Message);
        Assert.Equal(ExpressionErrorKind.Name, exception.ExpressionError!.Kind);
        Assert.Equal(new TextSpan(0, 13), exception.ExpressionError.Span);
    }

    [Fact]
    public void ErrorSpan_OnSecondLine_ReportsLineAndColumn()
    {
        Assert.False(ExpressionCompiler.TryCompile("segment(\"vip_users\") &&\n  lenn(profile.tags) > 1", ExpressionKind.Flag, Environment(), out _, out var error));

        Assert.Equal("Name error (line 2, column 3): unknown function 'lenn'; did you mean 'len'?", error.Message);
        Assert.Equal(new TextSpan(26, 30), error.Span);
    }

    [Fact]
    public void Compile_SharedRegistry_DeduplicatesRequirementsAcrossExpressions()
    {
        var environment = Environment();
        var first = ExpressionCompiler.Compile("events.purchase.count_30d >= 3 && events.purchase.count(30d) < 10", ExpressionKind.Trait, environment);
        var second = ExpressionCompiler.Compile("events.purchase.count(30d) + events.purchase.sum(amount, 30d) > 3", ExpressionKind.Trait, environment);

        Assert.Single(first.Requirements);
        Assert.Equal(2, second.Requirements.Count);
        Assert.Equal(first.RequirementSlots[0], second.RequirementSlots[0]);
        Assert.Equal(["events.purchase.count(30d)", "events.purchase.sum(amount, 30d)"], environment.Aggregates.Requirements.Select(r => r.ToString()));
    }

    [Fact]
    public void Compile_CollectsReferencesAndReadFlags()
    {
        var compiled = ExpressionCompiler.Compile(
            "segment(\"vip_users\") && total_spent > 5 && trait(\"plan_name\") == context.plan && profile.x == 1",
            ExpressionKind.Flag, Environment());

        Assert.Equal(["plan_name", "total_spent"], compiled.TraitReferences.Order());
        Assert.Equal(["vip_users"], compiled.SegmentReferences);
        Assert.True(compiled.ReadsContext);
        Assert.True(compiled.ReadsProfile);
        Assert.False(compiled.ReadsClock);
        Assert.Equal(ExprType.Bool, compiled.ResultType);
    }

    [Theory]
    [InlineData("events.a.count_7d", true)]
    [InlineData("last_seen_days_ago", true)]
    [InlineData("days_since(profile.signup)", true)]
    [InlineData("profile.plan", false)]
    [InlineData("total_spent * 2", false)]
    public void ReadsClock_IsTrueOnlyForTimeDependentExpressions(string source, bool expected) =>
        Assert.Equal(expected, ExpressionCompiler.Compile(source, ExpressionKind.Trait, Environment()).ReadsClock);

    [Theory]
    [InlineData("total_spent", ExprType.Number)]
    [InlineData("plan_name", ExprType.String)]
    [InlineData("profile.plan", ExprType.Any)]
    [InlineData("events.a.first(plan)", ExprType.Any)]
    [InlineData("events.a.count_7d > 1", ExprType.Bool)]
    [InlineData("coalesce(plan_name, \"x\")", ExprType.String)]
    [InlineData("coalesce(plan_name, 1)", ExprType.Any)]
    [InlineData("[1, 2]", ExprType.List)]
    public void ResultType_IsTheStaticType(string source, ExprType expected) =>
        Assert.Equal(expected, ExpressionCompiler.Compile(source, ExpressionKind.Trait, Environment()).ResultType);

    [Fact]
    public void Explain_ShortCircuitAnd_OmitsTheRightOperand()
    {
        var environment = Environment();
        var compiled = ExpressionCompiler.Compile("segment(\"vip_users\") && trait(\"total_spent\") >= 500", ExpressionKind.Flag, environment);
        var context = new TestEvaluationContext("{\"traits\": {\"total_spent\": 700}}", compiled, environment);

        var explanation = compiled.Explain(context);

        Assert.Equal("segment(\"vip_users\") && trait(\"total_spent\") >= 500 = false", explanation.ToString());
        var only = Assert.Single(explanation.Children);
        Assert.Equal("segment(\"vip_users\") = false", only.ToString());
    }

    [Fact]
    public void Explain_Aggregate_CarriesWindowBoundsAndEventCount()
    {
        var environment = Environment();
        var compiled = ExpressionCompiler.Compile("events.purchase.count_30d >= 3", ExpressionKind.Trait, environment);
        var context = new TestEvaluationContext(
            "{\"aggregates\": {\"events.purchase.count(30d)\": 4}, \"counts\": {\"events.purchase.count(30d)\": 4}}", compiled, environment);

        var explanation = compiled.Explain(context);

        Assert.Equal("events.purchase.count_30d >= 3 = true", explanation.ToString());
        Assert.Equal(2, explanation.Children.Count);
        var aggregate = explanation.Children[0];
        Assert.Equal("events.purchase.count_30d = 4", aggregate.ToString());
        Assert.Equal(TestEvaluationContext.DefaultNow.AddDays(-30), aggregate.WindowStart);
        Assert.Equal(TestEvaluationContext.DefaultNow, aggregate.WindowEnd);
        Assert.Equal(4, aggregate.EventCount);
        Assert.Equal("3 = 3", explanation.Children[1].ToString());
    }

    [Fact]
    public void Explain_AllWindow_HasNoWindowStart()
    {
        var environment = Environment();
        var compiled = ExpressionCompiler.Compile("events.purchase.count_all", ExpressionKind.Trait, environment);
        var context = new TestEvaluationContext("{\"aggregates\": {\"events.purchase.count(all)\": 2}}", compiled, environment);

        var explanation = compiled.Explain(context);

        Assert.Null(explanation.WindowStart);
        Assert.Equal(TestEvaluationContext.DefaultNow, explanation.WindowEnd);
    }

    [Fact]
    public void EventFilter_Matches_ReadsEventPropertiesAndProfile()
    {
        var environment = Environment();
        var compiled = ExpressionCompiler.Compile("events.purchase.where(amount > 100 && profile.plan == \"pro\").count_7d", ExpressionKind.Trait, environment);
        var filter = compiled.Requirements[0].Filter!;

        Assert.True(filter.ReadsProfile);
        Assert.Equal("amount > 100 && profile.plan == \"pro\"", filter.Text);
        Assert.True(filter.Matches(Value.ParseJson("{\"amount\": 150}"), Value.ParseJson("{\"plan\": \"pro\"}")));
        Assert.False(filter.Matches(Value.ParseJson("{\"amount\": 50}"), Value.ParseJson("{\"plan\": \"pro\"}")));
        Assert.False(filter.Matches(Value.ParseJson("{\"amount\": 150}"), Value.Null));
        Assert.False(filter.Matches(Value.Null, Value.Null));
    }

    [Fact]
    public void EventFilter_NestedAndOddProperties_AreReadByPath()
    {
        var compiled = ExpressionCompiler.Compile(
            "events[\"Order Completed\"].where(item.price >= 10 && properties[\"order total\"] > 5).count_30d",
            ExpressionKind.Trait, Environment());
        var filter = compiled.Requirements[0].Filter!;

        Assert.False(filter.ReadsProfile);
        Assert.Equal("Order Completed", compiled.Requirements[0].EventName);
        Assert.True(filter.Matches(Value.ParseJson("{\"item\": {\"price\": 10}, \"order total\": 6}"), Value.Null));
        Assert.False(filter.Matches(Value.ParseJson("{\"item\": {\"price\": 9}, \"order total\": 6}"), Value.Null));
    }

    [Fact]
    public void Requirement_PropertyPaths_AreCanonical()
    {
        var compiled = ExpressionCompiler.Compile(
            "events.a.sum(amount, 7d) + events.a.sum(properties.amount, 7d) + events.a.max(properties[\"order total\"], 7d) + events.a.min(item.price, 7d)",
            ExpressionKind.Trait, Environment());

        Assert.Equal(
            ["events.a.sum(amount, 7d)", "events.a.max(properties[\"order total\"], 7d)", "events.a.min(item.price, 7d)"],
            compiled.Requirements.Select(r => r.ToString()));
    }

    [Fact]
    public void Compile_ContextNamesRestricted_RejectsOthersWithSuggestion()
    {
        var environment = Environment().AllowContext("country", "platform");

        Assert.True(ExpressionCompiler.TryCompile("context.country == \"DE\"", ExpressionKind.Flag, environment, out _, out _));
        Assert.False(ExpressionCompiler.TryCompile("context.contry == \"DE\"", ExpressionKind.Flag, environment, out _, out var error));
        Assert.Equal("Name error (line 1, column 1): unknown context attribute 'contry'; did you mean 'country'?", error.Message);
    }

    [Fact]
    public void Evaluator_Delegate_GivesTheSameValueAsEvaluate()
    {
        var environment = Environment();
        var compiled = ExpressionCompiler.Compile("total_spent * 2", ExpressionKind.Trait, environment);
        var context = new TestEvaluationContext("{\"traits\": {\"total_spent\": 21}}", compiled, environment);

        Assert.Equal(Value.Number(42), compiled.Evaluator(context));
        Assert.Equal(compiled.Evaluate(context), compiled.Evaluator(context));
    }
}
