using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// Minimal inputs for defects the language properties found (all fixed), kept as regression
/// tests, plus the exact nesting limit.
/// </summary>
public class DefectRegressionTests
{
    [Fact]
    public void TryParse_NestingAtTheLimit_IsAcceptedAndOneMoreIsRejected()
    {
        var atLimit = new string('(', ExpressionParser.MaxNesting) + "a" + new string(')', ExpressionParser.MaxNesting);
        var overLimit = "(" + atLimit + ")";

        var accepted = OnThread(1024 * 1024, () => ExpressionParser.TryParse(atLimit, out _, out _));
        Assert.True(accepted);
        Assert.False(ExpressionParser.TryParse(overLimit, out _, out var error));
        Assert.Equal("Syntax error (line 1, column 66): the expression is nested too deeply.", error.Message);
    }

    [Fact]
    public void TryParse_ManyEmptyListsAndCalls_DoNotCountAsNesting()
    {
        var source = "contains([" + string.Join(", ", Enumerable.Repeat("[]", 200)) + "], [])";

        Assert.True(ExpressionParser.TryParse(source, out _, out var error), error?.Message);
    }

    /// <summary>The member form accepts a zero amount that the <see cref="Window"/> constructor rejects by throwing.</summary>
    [Theory]
    [InlineData("events.purchase.count_0d >= 1")]
    [InlineData("events.purchase.unique_days_0d >= 1")]
    [InlineData("events.purchase.count_0000000m >= 1")]
    public void TryCompile_MemberWindowOfZero_FailsWithErrorInsteadOfThrowing(string source)
    {
        var compiled = ExpressionCompiler.TryCompile(source, ExpressionKind.Segment, new SymbolEnvironment(), out _, out var error);

        Assert.False(compiled);
        Assert.NotNull(error);
    }

    /// <summary>
    /// The member form takes up to 7 digits, but 1,525,031 weeks or more overflow
    /// <see cref="Window.Length"/> (checked arithmetic): explaining throws.
    /// </summary>
    [Fact]
    public void Explain_MemberWindowOfMillionsOfWeeks_DoesNotThrow()
    {
        if (!ExpressionCompiler.TryCompile("events.purchase.count_9999999w >= 1", ExpressionKind.Segment, new SymbolEnvironment(), out var compiled, out _))
        {
            return; // Rejecting the window at compile time is a fix too.
        }

        var context = new FixedContext();

        Assert.Null(Record.Exception(() => compiled.Explain(context)));
    }

    /// <summary>With a retention configured, the same overflow happens while checking the window: compiling throws.</summary>
    [Fact]
    public void TryCompile_MemberWindowOfMillionsOfWeeksWithRetention_FailsWithWindowError()
    {
        var environment = new SymbolEnvironment { Retention = TimeSpan.FromDays(90) };

        var compiled = ExpressionCompiler.TryCompile("events.purchase.count_2000000w >= 1", ExpressionKind.Segment, environment, out _, out var error);

        Assert.False(compiled);
        Assert.Equal(ExpressionErrorKind.Window, error!.Kind);
    }

    /// <summary>
    /// When the stack guard trips inside a list, the error reads "unexpected '[', expected ',' or ']'"
    /// instead of saying the expression is nested too deeply.
    /// </summary>
    [Fact]
    public void TryParse_DeeplyNestedLists_ErrorSaysNestedTooDeeply()
    {
        var source = new string('[', 4999) + new string(']', 4999);

        var parsed = OnThread(1024 * 1024, () => ExpressionParser.TryParse(source, out _, out var error) ? null : error.Detail);

        Assert.Contains("nested too deeply", parsed, StringComparison.Ordinal);
    }

    /// <summary>
    /// When the stack guard trips in an operand, the message may read "unexpected '(', expected a
    /// number, string, name or '(' or result satisfying assertion": Pidgin's internal label leaks.
    /// </summary>
    [Fact]
    public void TryParse_DeeplyNestedParentheses_ErrorSaysNestedTooDeeply()
    {
        var details = OnThread(1536 * 1024, () => Enumerable.Range(1, 60)
            .Select(n => new string('(', n * 80) + "a" + new string(')', n * 80))
            .Select(source => ExpressionParser.TryParse(source, out _, out var error) ? null : error.Detail)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList());

        Assert.All(details, detail => Assert.Contains("nested too deeply", detail, StringComparison.Ordinal));
    }

    /// <summary>
    /// Parentheses add no tree depth, so whether deeply parenthesized text is accepted depends on
    /// the stack of the thread that parses it (and on JIT tiering): a definition saved on one
    /// server can be rejected on another.
    /// </summary>
    [Fact]
    public void TryParse_NestedParentheses_OutcomeDoesNotDependOnStackSize()
    {
        var source = new string('(', 1000) + "a" + new string(')', 1000);

        var small = OnThread(1024 * 1024, () => ExpressionParser.TryParse(source, out _, out _));
        var large = OnThread(64 * 1024 * 1024, () => ExpressionParser.TryParse(source, out _, out _));

        Assert.Equal(large, small);
    }

    private static T OnThread<T>(int stackSize, Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work(), stackSize);
        thread.Start();
        thread.Join();
        return result;
    }

    private sealed class FixedContext : IEvaluationContext
    {
        public DateTimeOffset Now { get; } = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

        public Value Profile => Value.Null;

        public Value EventProperties => Value.Null;

        public Value GetAggregate(int slot) => Value.Number(3);

        public long GetAggregateEventCount(int slot) => 3;

        public Value GetTrait(int slot) => Value.Null;

        public bool GetSegment(int slot) => false;

        public Value GetContext(string name) => Value.Null;
    }
}
