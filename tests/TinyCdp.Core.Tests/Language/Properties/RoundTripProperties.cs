using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>LANGUAGE.md "Canonical form": <c>parse(print(e)) == e</c> for every expression <c>e</c>.</summary>
public class RoundTripProperties
{
    [Property(MaxTest = 1000)]
    public Property Parse_PrintedTree_EqualsTree() =>
        Prop.ForAll(SyntaxTreeGenerators.TreeArbitrary, tree =>
        {
            var printed = ExpressionPrinter.Print(tree);
            var parsed = ExpressionParser.TryParse(printed, out var reparsed, out var error);
            return (parsed && tree.Equals(reparsed))
                .Label($"printed: {printed}\nparsed:  {(parsed ? ExpressionPrinter.Print(reparsed!) : error!.Message)}");
        });

    [Property(MaxTest = 1000)]
    public Property Print_ParsedPrintedTree_IsFixedPoint() =>
        Prop.ForAll(SyntaxTreeGenerators.TreeArbitrary, tree =>
        {
            var printed = ExpressionPrinter.Print(tree);
            var reprinted = ExpressionPrinter.Print(ExpressionParser.Parse(printed));
            return string.Equals(printed, reprinted, StringComparison.Ordinal)
                .Label($"printed:   {printed}\nreprinted: {reprinted}");
        });

    [Property(MaxTest = 300)]
    public Property ToString_AnyTree_IsPrint() =>
        Prop.ForAll(SyntaxTreeGenerators.TreeArbitrary, tree =>
            string.Equals(tree.ToString(), ExpressionPrinter.Print(tree), StringComparison.Ordinal));

    [Property(MaxTest = 300)]
    public Property Parse_PrintedTree_SpansLieInsideText() =>
        Prop.ForAll(SyntaxTreeGenerators.TreeArbitrary, tree =>
        {
            var printed = ExpressionPrinter.Print(tree);
            var parsed = ExpressionParser.Parse(printed);
            return Flatten(parsed).All(node => node.Span.Start >= 0 && node.Span.Start <= node.Span.End && node.Span.End <= printed.Length)
                .Label(printed);
        });

    [Property(MaxTest = 200)]
    public Property Generator_AnyTree_StaysWithinDepthBound() =>
        Prop.ForAll(SyntaxTreeGenerators.TreeArbitrary, tree => SyntaxTreeGenerators.Depth(tree) <= SyntaxTreeGenerators.MaxDepth);

    [Property(MaxTest = 300)]
    public Property Parse_LiteralText_GivesSameString() =>
        Prop.ForAll(Arb.From(SyntaxTreeGenerators.Text), text =>
            ExpressionParser.Parse(Lexicon.Quote(text)).Equals(new LiteralExpr(Value.String(text))));

    [Property(MaxTest = 300)]
    public Property Parse_NumberLiteral_GivesSameNumber() =>
        Prop.ForAll(Arb.From(SyntaxTreeGenerators.NonNegativeNumber), number =>
        {
            var printed = ExpressionPrinter.Print(new LiteralExpr(Value.Number(number)));
            return (ExpressionParser.Parse(printed) is LiteralExpr { Value: var value } && value.AsNumber.Equals(number)).Label(printed);
        });

    [Theory]
    [InlineData("-2", "-2")]
    [InlineData("- 2", "-2")]
    [InlineData("--a", "--a")]
    [InlineData("a - -b", "a - -b")]
    [InlineData("!!a", "!!a")]
    [InlineData("not not a", "!!a")]
    [InlineData("(1).e5", "(1).e5")]
    [InlineData("(30d).x", "(30d).x")]
    [InlineData("x.not in y", "x.not in y")]
    [InlineData("x.in in y", "x.in in y")]
    [InlineData("!a not in b", "!a not in b")]
    [InlineData("(a < b) < c", "(a < b) < c")]
    [InlineData("a && (b && c)", "a && (b && c)")]
    [InlineData("1E+21 + 1.5e-7", "1E+21 + 1.5E-07")]
    [InlineData("\"\\u0000\\t\\n\\\"\\\\\"", "\"\\u0000\\t\\n\\\"\\\\\"")]
    public void Print_TrickyInput_IsCanonicalAndStable(string input, string canonical)
    {
        var parsed = ExpressionParser.Parse(input);

        Assert.Equal(canonical, ExpressionPrinter.Print(parsed));
        Assert.Equal(parsed, ExpressionParser.Parse(canonical));
    }

    private static IEnumerable<Expr> Flatten(Expr node) =>
        SyntaxTreeGenerators.SyntaxChildren(node).SelectMany(Flatten).Prepend(node);
}
