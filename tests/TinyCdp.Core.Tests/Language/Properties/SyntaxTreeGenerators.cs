using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// Generators of syntax trees that the grammar can express (LANGUAGE.md "Grammar"), with a
/// shrinker, for the print/parse round trip. Trees the grammar cannot express are left out on
/// purpose: negative number literals (<c>-2</c> is a negation), NaN and infinities (no literal
/// spells them), the window <c>all</c> as a <see cref="DurationExpr"/> (it reads back as the name
/// <c>all</c>), and names that are the words <c>true false null and or not in</c> (they are
/// literals or operators). <c>events</c> and <c>profile</c> are reserved but still parse as names,
/// so they are generated as names.
/// </summary>
internal static class SyntaxTreeGenerators
{
    public const int MaxDepth = 12;

    private static readonly string[] NonNames = ["true", "false", "null", "and", "or", "not", "in"];

    private static readonly string[] TrickyNames =
    [
        "all", "a", "x", "_", "__", "e", "E", "e1", "d", "m", "h", "w", "notin", "not_", "in_", "_in", "or1", "and_x",
        "True", "NULL", "count_30d", "first_seen_days_ago", "context", "trait", "segment", "properties", "where",
    ];

    private static readonly string[] ReservedWords = ["true", "false", "null", "and", "or", "not", "in", "events", "profile"];

    private static readonly char[] NameStart = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".ToCharArray();
    private static readonly char[] NamePart = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789".ToCharArray();

    private static readonly char[] SpecialChars =
    [
        '"', '\'', '\\', '\n', '\t', '\r', '\0', '\u0001', '\u001f', '\u007f', '\u0085', '\u00a0', '\u2028', '\ufeff',
        '#', ' ', 'é', 'ß', '中', '\ud83d', '\ude00', '\ud800', '\udfff', 'u', '{', '}', '(', ')', '[', ']', '.', ',',
    ];

    /// <summary>A plain identifier <c>[A-Za-z_][A-Za-z0-9_]*</c>, possibly a reserved word.</summary>
    public static Gen<string> AnyIdentifier { get; } = Gen.Frequency(
        (6, from first in Gen.Elements(NameStart)
            from length in Gen.Choose(0, 8)
            from rest in Gen.ArrayOf(Gen.Elements(NamePart), length)
            select first + new string(rest)),
        (2, Gen.Elements(TrickyNames)),
        (1, Gen.Elements(ReservedWords)));

    /// <summary>A name that parses back as a <see cref="NameExpr"/>.</summary>
    public static Gen<string> Name { get; } = AnyIdentifier.Where(name => !NonNames.Contains(name));

    /// <summary>Non-negative finite numbers, including fractions and extreme magnitudes.</summary>
    public static Gen<double> NonNegativeNumber { get; } = Gen.OneOf(
        Gen.Choose(0, 1000).Select(n => (double)n),
        from n in Gen.Choose(0, 100_000)
        from k in Gen.Choose(1, 6)
        select n / Math.Pow(10, k),
        Gen.Elements(
            0.0, 1.0, 0.5, 0.1 + 0.2, 1e21, 1.5e-7, 1e15, 1e16, 123456789012345678.0, 9007199254740993.0, 1e-5, 1e-300,
            double.Epsilon, double.MaxValue, 1.7976931348623157e308, 4.9e-324, 2.2250738585072014e-308),
        from mantissa in Gen.Choose(1, int.MaxValue)
        from exponent in Gen.Choose(-320, 300)
        select mantissa * Math.Pow(10, exponent)).Where(double.IsFinite).Select(Math.Abs);

    /// <summary>Strings with quotes, backslashes, line breaks, tabs, control characters, surrogates and other unicode.</summary>
    public static Gen<string> Text { get; } = Gen.Sized(size =>
        from length in Gen.Choose(0, Math.Min(size, 12))
        from chars in Gen.ArrayOf(Gen.Frequency(
            (3, Gen.Choose(32, 126).Select(c => (char)c)),
            (2, Gen.Elements(SpecialChars)),
            (1, Gen.Choose(0, 0xFFFF).Select(c => (char)c))), length)
        select new string(chars));

    public static Gen<Expr> Literal { get; } = Gen.Frequency(
        (4, NonNegativeNumber.Select(n => (Expr)new LiteralExpr(Value.Number(n)))),
        (4, Text.Select(s => (Expr)new LiteralExpr(Value.String(s)))),
        (1, Gen.Elements<Expr>(new LiteralExpr(Value.True), new LiteralExpr(Value.False), new LiteralExpr(Value.Null))));

    public static Gen<Expr> Duration { get; } =
        from amount in Gen.Choose(1, 1000)
        from unit in Gen.Elements(DurationUnit.Minutes, DurationUnit.Hours, DurationUnit.Days, DurationUnit.Weeks)
        select (Expr)new DurationExpr(new Window(amount, unit));

    public static Gen<Expr> Leaf { get; } = Gen.Frequency(
        (4, Literal),
        (4, Name.Select(name => (Expr)new NameExpr(name))),
        (1, Duration));

    private static readonly BinaryOperator[] BinaryOperators = Enum.GetValues<BinaryOperator>();

    /// <summary>Trees of depth at most <see cref="MaxDepth"/> and at most about 50 nodes; splits are random, so some trees are deep and thin.</summary>
    public static Gen<Expr> Tree { get; } = Gen.Sized(size => Gen.Choose(1, Math.Clamp(size, 1, 50)).SelectMany(budget => TreeOf(budget, MaxDepth)));

    public static Arbitrary<Expr> TreeArbitrary { get; } = Arb.From(Tree, Shrink);

    private static Gen<Expr> TreeOf(int size, int depth)
    {
        if (size <= 1 || depth <= 1)
        {
            return Leaf;
        }

        var one = TreeOf(size - 1, depth - 1);
        var two = size < 3
            ? Gen.Zip(Leaf, Leaf)
            : Gen.Choose(1, size - 2).SelectMany(left => Gen.Zip(TreeOf(left, depth - 1), TreeOf(size - 1 - left, depth - 1)));
        var many =
            from count in Gen.Choose(0, 3)
            from items in Gen.ArrayOf(TreeOf((size - 1) / Math.Max(count, 1), depth - 1), count)
            select items.ToImmutableArray();

        return Gen.Frequency(
            (1, Leaf),
            (1, many.Select(items => (Expr)new ListExpr(items))),
            (2, from target in one from member in AnyIdentifier select (Expr)new MemberExpr(target, member)),
            (1, two.Select(pair => (Expr)new IndexExpr(pair.Item1, pair.Item2))),
            (2, from target in one from arguments in many select (Expr)new CallExpr(target, arguments)),
            (2, from op in Gen.Elements(UnaryOperator.Not, UnaryOperator.Negate) from operand in one select (Expr)new UnaryExpr(op, operand)),
            (6, from op in Gen.Elements(BinaryOperators) from pair in two select (Expr)new BinaryExpr(op, pair.Item1, pair.Item2)));
    }

    /// <summary>Shrinks to a subtree, or to the same node with one child shrunk, or to a simpler literal.</summary>
    public static IEnumerable<Expr> Shrink(Expr expression)
    {
        foreach (var child in SyntaxChildren(expression))
        {
            yield return child;
        }

        switch (expression)
        {
            case LiteralExpr { Value.Kind: ValueKind.String } literal when literal.Value.AsString!.Length > 0:
                var text = literal.Value.AsString!;
                yield return new LiteralExpr(Value.String(""));
                for (var i = 0; i < text.Length; i++)
                {
                    yield return new LiteralExpr(Value.String(text.Remove(i, 1)));
                }

                break;
            case LiteralExpr { Value.Kind: ValueKind.Number } number when number.Value.AsNumber != 0:
                yield return new LiteralExpr(Value.Number(0));
                yield return new LiteralExpr(Value.Number(Math.Floor(number.Value.AsNumber / 2)));
                break;
            case NameExpr { Name.Length: > 1 }:
                yield return new NameExpr("a");
                break;
            case MemberExpr member:
                foreach (var target in Shrink(member.Target))
                {
                    yield return member with { Target = target };
                }

                break;
            case IndexExpr index:
                foreach (var target in Shrink(index.Target))
                {
                    yield return index with { Target = target };
                }

                foreach (var key in Shrink(index.Index))
                {
                    yield return index with { Index = key };
                }

                break;
            case ListExpr list:
                foreach (var items in ShrinkItems(list.Items))
                {
                    yield return new ListExpr(items);
                }

                break;
            case CallExpr call:
                foreach (var target in Shrink(call.Target))
                {
                    yield return call with { Target = target };
                }

                foreach (var arguments in ShrinkItems(call.Arguments))
                {
                    yield return call with { Arguments = arguments };
                }

                break;
            case UnaryExpr unary:
                foreach (var operand in Shrink(unary.Operand))
                {
                    yield return unary with { Operand = operand };
                }

                break;
            case BinaryExpr binary:
                foreach (var left in Shrink(binary.Left))
                {
                    yield return binary with { Left = left };
                }

                foreach (var right in Shrink(binary.Right))
                {
                    yield return binary with { Right = right };
                }

                break;
        }
    }

    private static IEnumerable<ImmutableArray<Expr>> ShrinkItems(ImmutableArray<Expr> items)
    {
        for (var i = 0; i < items.Length; i++)
        {
            yield return items.RemoveAt(i);
        }

        for (var i = 0; i < items.Length; i++)
        {
            foreach (var item in Shrink(items[i]))
            {
                yield return items.SetItem(i, item);
            }
        }
    }

    public static IEnumerable<Expr> SyntaxChildren(Expr node) => node switch
    {
        ListExpr list => list.Items,
        MemberExpr member => [member.Target],
        IndexExpr index => [index.Target, index.Index],
        CallExpr call => [call.Target, .. call.Arguments],
        UnaryExpr unary => [unary.Operand],
        BinaryExpr binary => [binary.Left, binary.Right],
        _ => [],
    };

    public static int Depth(Expr node) => 1 + SyntaxChildren(node).Select(Depth).DefaultIfEmpty(0).Max();
}
