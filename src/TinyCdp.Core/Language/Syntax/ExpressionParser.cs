using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Pidgin;
using static Pidgin.Parser;

namespace TinyCdp.Language.Syntax;

/// <summary>
/// Parses expression text into a <see cref="Expr"/> tree (LANGUAGE.md "Grammar"). The parser is
/// built once; parsing is thread-safe and never throws on any input from <see cref="TryParse"/>.
/// </summary>
internal static class ExpressionParser
{
    /// <summary>Longest expression text accepted, in characters.</summary>
    public const int MaxLength = 10_000;

    /// <summary>Deepest nesting of the syntax tree accepted.</summary>
    public const int MaxDepth = 100;

    private const string OperandLabel = "operand";
    private const string OperatorLabel = "an operator";
    private const string EscapeLabel = "an escape sequence (\\\" \\' \\\\ \\n \\t or \\uXXXX)";
    private static readonly HashSet<string> OperandStarts = new(["'not'", "'-'", "'!'", "'\"'", "\"'\"", "'['", "'('"], StringComparer.Ordinal);

    private static readonly Parser<char, Expr> Root = BuildRoot();

    /// <summary>Parses <paramref name="source"/>; on failure <paramref name="error"/> says where and why.</summary>
    public static bool TryParse(string source, [NotNullWhen(true)] out Expr? expression, [NotNullWhen(false)] out ExpressionError? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        expression = null;
        if (source.Length > MaxLength)
        {
            error = new ExpressionError(ExpressionErrorKind.Syntax, new TextSpan(MaxLength, source.Length), source,
                $"the expression is too long ({MaxLength} characters at most)");
            return false;
        }

        Result<char, Expr> result;
        t_nesting = 0;
        try
        {
            result = Root.Parse(source);
        }
        catch (NestingException nesting)
        {
            error = TooDeep(source, new TextSpan(nesting.Offset, Math.Min(nesting.Offset + 1, source.Length)));
            return false;
        }
        finally
        {
            t_nesting = 0;
        }

        if (!result.Success)
        {
            error = Describe(result.Error!, source);
            return false;
        }

        if (SyntaxDepth.Exceeds(result.Value, MaxDepth, out var deepest))
        {
            error = TooDeep(source, deepest);
            return false;
        }

        expression = result.Value;
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="source"/> or throws <see cref="TinyCdpException"/> with <see cref="TinyCdpErrorCode.InvalidExpression"/>.</summary>
    public static Expr Parse(string source)
    {
        if (TryParse(source, out var expression, out var error))
        {
            return expression;
        }

        throw new TinyCdpException(TinyCdpErrorCode.InvalidExpression, error.Message) { ExpressionError = error };
    }

    /// <summary>How deeply brackets and prefix operators may nest.</summary>
    public const int MaxNesting = 64;

    [ThreadStatic]
    private static int t_nesting;

    private static Unit Enter(int offset) => ++t_nesting > MaxNesting ? throw new NestingException(offset) : Unit.Value;

    private static Unit Exit(Unit unit)
    {
        t_nesting--;
        return unit;
    }

    /// <summary>Stops a parse that nests deeper than <see cref="MaxNesting"/>; never leaves <see cref="TryParse"/>.</summary>
    private sealed class NestingException(int offset) : Exception
    {
        public int Offset { get; } = offset;
    }

    private static ExpressionError TooDeep(string source, TextSpan span) =>
        new(ExpressionErrorKind.Syntax, span, source, "the expression is nested too deeply");

    private static ExpressionError Describe(ParseError<char> error, string source)
    {
        var offset = Math.Clamp(error.ErrorOffset, 0, source.Length);
        var span = new TextSpan(offset, Math.Min(offset + 1, source.Length));
        if (error.Message is { } message)
        {
            return new ExpressionError(ExpressionErrorKind.Syntax, span, source, message);
        }

        var unexpected = error.EOF || !error.Unexpected.HasValue
            ? "unexpected end of input"
            : $"unexpected {Show(error.Unexpected.Value)}";
        var expected = error.Expected
            .Select(e => e.IsEof ? "end of input" : e.Label ?? ShowTokens(e.Tokens))
            .Select(e => e == OperandLabel || OperandStarts.Contains(e) ? "a number, string, name or '('" : e)
            .Where(e => e.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(e => e == "end of input" ? 1 : 0)
            .ToList();
        var detail = expected.Count == 0 ? unexpected : $"{unexpected}, expected {JoinOr(expected)}";
        return new ExpressionError(ExpressionErrorKind.Syntax, span, source, detail);
    }

    private static string Show(char c) => c switch
    {
        '\'' => "\"'\"",
        '\n' => "end of line",
        _ when char.IsControl(c) || char.IsSurrogate(c) => $"character U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    private static string ShowTokens(ImmutableArray<char> tokens) =>
        tokens.IsDefaultOrEmpty ? "" : tokens.Length == 1 ? Show(tokens[0]) : $"'{new string(tokens.AsSpan())}'";

    private static string JoinOr(List<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];

    private readonly record struct Lexeme<T>(T Value, TextSpan Span);

    private static Parser<char, Expr> BuildRoot()
    {
        var comment = Char('#').Then(Parser<char>.Token(c => c != '\n').SkipMany());
        var skip = Whitespace.IgnoreResult().Or(comment).SkipMany();

        // A token: its span ends before the white space and comments that follow it.
        Parser<char, Lexeme<T>> Tok<T>(Parser<char, T> parser) =>
            Map((start, value, end) => new Lexeme<T>(value, new TextSpan(start, end)), Parser<char>.CurrentOffset, parser, Parser<char>.CurrentOffset)
                .Before(skip);

        Parser<char, Lexeme<string>> Symbol(string text) => Tok(Try(String(text)));

        Parser<char, Lexeme<string>> Keyword(string word) => Tok(Try(String(word).Before(Not(Parser<char>.Token(Lexicon.IsNamePart)))));

        var asciiDigit = Parser<char>.Token(c => c is >= '0' and <= '9');
        var digits = asciiDigit.AtLeastOnceString();
        var nameWord = Map((first, rest) => first + rest, Parser<char>.Token(Lexicon.IsNameStart), Parser<char>.Token(Lexicon.IsNamePart).ManyString());

        // Numbers and durations share a start: digits then a unit letter that ends the word is a duration.
        var unit = OneOf('m', 'h', 'd', 'w').Before(Not(Parser<char>.Token(Lexicon.IsNamePart)));
        var duration = Try(Map((amount, letter) => (Amount: amount, Letter: letter), digits, unit)).Bind(d => MakeDuration(d.Amount, d.Letter) is { } made
            ? Parser<char>.Return((Expr)made)
            : Parser<char>.Fail<Expr>($"a duration must be a whole number from 1 to {MaxDurationAmount} followed by m, h, d or w"));
        var fraction = Char('.').Then(digits, (dot, ds) => "." + ds);
        var exponent = Map((e, sign, ds) => e + (sign.HasValue ? sign.Value.ToString() : "") + ds,
            OneOf('e', 'E'), OneOf('+', '-').Optional(), digits.Labelled("an exponent"));
        var number = Map((whole, frac, exp) => whole + frac.GetValueOrDefault("") + exp.GetValueOrDefault(""),
                digits, Try(fraction).Optional(), Try(exponent).Optional())
            .Before(Lookahead(Try(Char('.').Then(asciiDigit))).Optional().Bind(next => next.HasValue
                ? Parser<char>.Fail<Unit>("malformed number")
                : Parser<char>.Return(Unit.Value)))
            .Select(text => (Expr)new LiteralExpr(Value.Number(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture))));
        var numeric = Tok(duration.Or(number)).Select(t => t.Value with { Span = t.Span });

        var hex = Parser<char>.Token(Uri.IsHexDigit).Repeat(4).Select(cs => (char)int.Parse(new string(cs.ToArray()), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var escape = Char('\\').Then(OneOf(
            Char('"'), Char('\''), Char('\\'),
            Char('n').ThenReturn('\n'), Char('t').ThenReturn('\t'),
            Char('u').Then(hex.Labelled("four hex digits"))).Labelled(EscapeLabel));
        Parser<char, string> Quoted(char quote) =>
            Char(quote).Then(escape.Or(Parser<char>.Token(c => c != quote && c != '\\' && c != '\n')).ManyString())
                .Before(Char(quote).Labelled("the closing quote"));
        var stringLiteral = Tok(Quoted('"').Or(Quoted('\'')))
            .Select(t => (Expr)new LiteralExpr(Value.String(t.Value)) { Span = t.Span });

        var word = Tok(nameWord);
        Parser<char, Expr> expr = null!;
        var exprRef = Rec(() => expr);

        // Brackets and prefix operators recurse; counting them keeps the parser's stack use bounded
        // and the limit the same on every thread and machine. Nested(...) only wraps parsers that
        // run after input was consumed, so a failure inside ends the whole parse and the count
        // never needs unwinding.
        Parser<char, T> Nested<T>(Parser<char, T> inner) =>
            Parser<char>.CurrentOffset.Select(Enter).Then(inner).Before(Parser<char>.Return(Unit.Value).Select(Exit));

        var list = Map((open, items, close) => (Expr)new ListExpr([.. items]) { Span = open.Span.Union(close.Span) },
            Symbol("["), Nested(exprRef.Separated(Symbol(","))), Symbol("]").Labelled("',' or ']'"));
        var parenthesized = Map((open, inner, close) => inner with { Span = open.Span.Union(close.Span) },
            Symbol("("), Nested(exprRef), Symbol(")").Labelled("')'"));
        var namePrimary = word.Bind(t => t.Value switch
        {
            "true" => Parser<char>.Return((Expr)new LiteralExpr(Value.True) { Span = t.Span }),
            "false" => Parser<char>.Return((Expr)new LiteralExpr(Value.False) { Span = t.Span }),
            "null" => Parser<char>.Return((Expr)new LiteralExpr(Value.Null) { Span = t.Span }),
            "and" or "or" or "not" or "in" => Parser<char>.Fail<Expr>($"'{t.Value}' is a reserved word and cannot stand here"),
            _ => Parser<char>.Return((Expr)new NameExpr(t.Value) { Span = t.Span }),
        });
        var primary = OneOf(numeric, stringLiteral, list, parenthesized, namePrimary);

        // Labels go on a one-character look-ahead, never on a parser that can fail after consuming
        // input: a label replaces the inner error, and the inner error is the more precise one.
        var operandStart = Lookahead(Parser<char>.Token(c => Lexicon.IsNameStart(c) || c is (>= '0' and <= '9') or '"' or '\'' or '[' or '(' or '-' or '!'))
            .Labelled(OperandLabel);

        // Postfix chains are built in a loop, so long chains do not recurse.
        var member = Symbol(".").Labelled(OperatorLabel).Then(word.Labelled("a name"), (dot, name) => (Func<Expr, Expr>)(target =>
            new MemberExpr(target, name.Value) { Span = target.Span.Union(name.Span) }));
        var index = Map((open, key, close) => (Func<Expr, Expr>)(target =>
            new IndexExpr(target, key) { Span = target.Span.Union(close.Span) }), Symbol("[").Labelled(OperatorLabel), Nested(exprRef), Symbol("]").Labelled("']'"));
        var call = Map((open, args, close) => (Func<Expr, Expr>)(target =>
            new CallExpr(target, [.. args]) { Span = target.Span.Union(close.Span) }),
            Symbol("(").Labelled(OperatorLabel), Nested(exprRef.Separated(Symbol(","))), Symbol(")").Labelled("',' or ')'"));
        var postfix = Map((target, suffixes) => suffixes.Aggregate(target, (current, suffix) => suffix(current)),
            primary, OneOf(member, index, call).Many());

        Parser<char, Expr> unary = null!;
        var unaryRef = Nested(Rec(() => unary));
        unary = (
            Symbol("-").Then(unaryRef, (minus, operand) => (Expr)new UnaryExpr(UnaryOperator.Negate, operand) { Span = minus.Span.Union(operand.Span) })
            .Or(postfix));

        Parser<char, Expr> LeftChain(Parser<char, Expr> operand, Parser<char, BinaryOperator> op) =>
            Map((first, rest) => rest.Aggregate(first, (left, pair) =>
                    new BinaryExpr(pair.Op, left, pair.Right) { Span = left.Span.Union(pair.Right.Span) }),
                operand, Map((o, right) => (Op: o, Right: right), op.Labelled(OperatorLabel), operandStart.Then(operand)).Many());

        var product = LeftChain(unary, OneOf(
            Symbol("*").ThenReturn(BinaryOperator.Multiply),
            Symbol("/").ThenReturn(BinaryOperator.Divide),
            Symbol("%").ThenReturn(BinaryOperator.Remainder)));
        var sum = LeftChain(product, OneOf(
            Symbol("+").ThenReturn(BinaryOperator.Add),
            Symbol("-").ThenReturn(BinaryOperator.Subtract)));

        var compareOp = OneOf(
            Symbol("==").ThenReturn(BinaryOperator.Equal),
            Symbol("!=").ThenReturn(BinaryOperator.NotEqual),
            Symbol("<=").ThenReturn(BinaryOperator.LessOrEqual),
            Symbol(">=").ThenReturn(BinaryOperator.GreaterOrEqual),
            Symbol("<").ThenReturn(BinaryOperator.Less),
            Symbol(">").ThenReturn(BinaryOperator.Greater),
            Keyword("in").ThenReturn(BinaryOperator.In),
            Try(Keyword("not").Then(Keyword("in"))).ThenReturn(BinaryOperator.NotIn));
        var noChain = Lookahead(compareOp).Optional().Bind(next => next.HasValue
            ? Parser<char>.Fail<Unit>("comparisons do not chain; combine them with && or use parentheses")
            : Parser<char>.Return(Unit.Value));
        var compare = Map((left, tail) => tail.HasValue
                ? new BinaryExpr(tail.Value.Op, left, tail.Value.Right) { Span = left.Span.Union(tail.Value.Right.Span) }
                : left,
            sum,
            Map((op, right, _) => (Op: op, Right: right), compareOp.Labelled(OperatorLabel), operandStart.Then(sum), noChain).Optional());

        Parser<char, Expr> negation = null!;
        var notRef = Nested(Rec(() => negation));
        var bang = Tok(Try(Char('!').Before(Not(Char('=')))).Select(_ => "!"));
        negation = operandStart.Then(
            bang.Or(Try(Keyword("not").Before(Not(Keyword("in")))))
                .Then(notRef, (op, operand) => (Expr)new UnaryExpr(UnaryOperator.Not, operand) { Span = op.Span.Union(operand.Span) })
            .Or(compare));

        var and = LeftChain(negation, Symbol("&&").Or(Keyword("and")).ThenReturn(BinaryOperator.And));
        var or = LeftChain(and, Symbol("||").Or(Keyword("or")).ThenReturn(BinaryOperator.Or));
        expr = or;

        return skip.Then(expr).Before(Parser<char>.End);
    }

    private const long MaxDurationAmount = 1_000_000;

    private static DurationExpr? MakeDuration(string amount, char letter)
    {
        var unit = letter switch
        {
            'm' => DurationUnit.Minutes,
            'h' => DurationUnit.Hours,
            'd' => DurationUnit.Days,
            _ => DurationUnit.Weeks,
        };

        return long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= MaxDurationAmount
            ? new DurationExpr(new Window(value, unit))
            : null;
    }
}
