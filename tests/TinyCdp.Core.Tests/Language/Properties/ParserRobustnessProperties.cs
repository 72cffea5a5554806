using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// <see cref="ExpressionParser.TryParse"/> never throws: on any text it returns a tree, or a
/// syntax error whose span, line and column lie inside the text.
/// </summary>
public class ParserRobustnessProperties
{
    private static readonly string[] Tokens =
    [
        "events", ".", "purchase", "count_30d", "(", ")", "[", "]", "\"", "'", "\\", "#", "&&", "||", "!", "not", "in",
        "==", "!=", "<=", ">=", "<", ">", "30d", "1.2.3", "1e3", "1e", "1e+", "-", "+", "*", "/", "%", ",", "and", "or",
        "true", "false", "null", "all", "profile", "where", "0d", "9999999d", "00", "1.", ".5", "\\u", "\\u12", "\\x",
        "\"a\"", "'b'", "\"unterminated", "\n", "\t", "\r", " ", "  ", "# comment\n", "\u00a0", "\u2028", "\0", "é", "\ud83d",
    ];

    private static readonly string[] ValidExpressions =
    [
        "events.purchase.count_30d >= 3",
        "events.app_open.unique_days_14d >= 5",
        "profile.plan in [\"premium\", \"enterprise\"]",
        "last_seen_minutes_ago < 1440",
        "events.purchase.count_30d >= 1 && events.app_open.count_7d >= 3",
        "frequent_buyer == true",
        "segment(\"vip_users\")",
        "trait(\"total_spent\") >= 500",
        "segment(\"recent_buyers\") == false",
        "events[\"Order Completed\"].where(amount > 5 && item.price < 10).sum(amount, 30d) / 2 >= -1.5e3",
        "not (a in [1, 2, 'x']) or !b && c.d[0](e, f) != null # trailing comment",
        "lower(profile[\"odd key\"]) not in ['a\\n', \"\\u00e9\\\"\"]",
    ];

    private static Arbitrary<string> DefaultStrings { get; } = ArbMap.Default.ArbFor<string>().Filter(s => s is not null);

    private static Arbitrary<string> TokenSoup { get; } = Arb.From(Gen.Sized(size =>
        from count in Gen.Choose(0, Math.Max(1, size))
        from pieces in Gen.ArrayOf(Gen.Frequency(
            (6, Gen.Elements(Tokens)),
            (2, Gen.Elements(" ", "\n", "\t", "  ")),
            (2, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())),
            (2, SyntaxTreeGenerators.AnyIdentifier),
            (1, SyntaxTreeGenerators.NonNegativeNumber.Select(n => Value.Number(n).ToString()))), count)
        select string.Concat(pieces)));

    private static Arbitrary<string> Truncations { get; } = Arb.From(
        from source in Gen.OneOf(Gen.Elements(ValidExpressions), SyntaxTreeGenerators.Tree.Select(ExpressionPrinter.Print))
        from cut in Gen.Choose(0, source.Length)
        from keepTail in Gen.Elements(false, true)
        select keepTail ? source[cut..] : source[..cut]);

    [Property(MaxTest = 1000)]
    public Property TryParse_DefaultStrings_ReturnsTreeOrPositionedSyntaxError() =>
        Prop.ForAll(DefaultStrings, IsWellFormedOutcome);

    [Property(MaxTest = 2000)]
    public Property TryParse_TokenSoup_ReturnsTreeOrPositionedSyntaxError() =>
        Prop.ForAll(TokenSoup, IsWellFormedOutcome);

    [Property(MaxTest = 1000)]
    public Property TryParse_TruncatedExpression_ReturnsTreeOrPositionedSyntaxError() =>
        Prop.ForAll(Truncations, IsWellFormedOutcome);

    [Property(MaxTest = 300)]
    public Property TryParse_PrintedTreeWithOneCharacterChanged_ReturnsTreeOrPositionedSyntaxError() =>
        Prop.ForAll(Arb.From(
            from source in SyntaxTreeGenerators.Tree.Select(ExpressionPrinter.Print).Where(s => s.Length > 0)
            from at in Gen.Choose(0, source.Length - 1)
            from replacement in Gen.Elements("", "(", ")", "\"", "'", "\\", ".", "!", "-", "#", "[", ",", "0", "e", " ")
            select source.Remove(at, 1).Insert(at, replacement)), IsWellFormedOutcome);

    [Fact]
    public void TryParse_FiveThousandNestedParentheses_FailsWithSyntaxError() =>
        AssertSyntaxError(new string('(', 5000) + "a" + new string(')', 5000));

    [Fact]
    public void TryParse_FiveThousandNestedParenthesesWithoutClosers_FailsWithSyntaxError() =>
        AssertSyntaxError(new string('(', 5000) + "a");

    [Fact]
    public void TryParse_FiveThousandNestedListsWithinLengthLimit_FailsWithSyntaxError() =>
        AssertSyntaxError(new string('[', 4999) + new string(']', 4999));

    [Fact]
    public void TryParse_FiveThousandBangs_FailsWithSyntaxError() =>
        AssertSyntaxError(new string('!', 5000) + "a");

    [Fact]
    public void TryParse_FiveThousandNots_FailsWithSyntaxError() =>
        AssertSyntaxError(string.Concat(Enumerable.Repeat("not ", 2000)) + "a");

    [Fact]
    public void TryParse_FiveThousandMinuses_FailsWithSyntaxError() =>
        AssertSyntaxError(new string('-', 5000) + "a");

    [Fact]
    public void TryParse_ThreeThousandAdditions_FailsWithSyntaxError() =>
        AssertSyntaxError(string.Concat(Enumerable.Repeat("a+", 3000)) + "a");

    [Fact]
    public void TryParse_LongMemberChain_FailsWithSyntaxError() =>
        AssertSyntaxError("a" + string.Concat(Enumerable.Repeat(".b", 3000)));

    [Fact]
    public void TryParse_TwentyThousandCharacterString_FailsWithSyntaxError() =>
        AssertSyntaxError("\"" + new string('x', 19_998) + "\"");

    [Fact]
    public void TryParse_NestedParenthesesWithinLengthLimit_NeverThrows()
    {
        // Parentheses add no tree depth, so whether this is accepted depends on the stack left;
        // either way the parser must answer rather than crash.
        var source = new string('(', 4999) + "a" + new string(')', 4999);

        Assert.Null(Problem(source));
    }

    private static void AssertSyntaxError(string source)
    {
        var parsed = ExpressionParser.TryParse(source, out var expression, out var error);

        Assert.False(parsed);
        Assert.Null(expression);
        Assert.NotNull(error);
        Assert.Equal(ExpressionErrorKind.Syntax, error.Kind);
        Assert.StartsWith("Syntax error (line ", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Span.Start, 0, source.Length);
        Assert.InRange(error.Span.End, error.Span.Start, source.Length);
    }

    private static Property IsWellFormedOutcome(string source) =>
        Problem(source) is { } problem ? false.Label(problem) : true.ToProperty();

    /// <summary>What is wrong with the parser's answer on <paramref name="source"/>, or null when nothing is.</summary>
    private static string? Problem(string source)
    {
        bool parsed;
        Expr? expression;
        ExpressionError? error;
        try
        {
            parsed = ExpressionParser.TryParse(source, out expression, out error);
        }
        catch (Exception exception)
        {
            return $"threw {exception.GetType().Name}: {exception.Message}";
        }

        if (parsed)
        {
            return expression is not null && error is null ? null : "success without a tree, or with an error";
        }

        var wellFormed = expression is null
            && error is not null
            && error.Kind == ExpressionErrorKind.Syntax
            && 0 <= error.Span.Start && error.Span.Start <= error.Span.End && error.Span.End <= source.Length
            && error.Line >= 1 && error.Column >= 1
            && error.Message.StartsWith("Syntax error (line ", StringComparison.Ordinal);
        return wellFormed ? null : $"bad error: {error?.Message} span {error?.Span} line {error?.Line} column {error?.Column}";
    }
}
