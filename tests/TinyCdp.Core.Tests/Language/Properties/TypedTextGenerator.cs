using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language.Properties;

/// <summary>
/// Generates expression TEXT that the checker must accept, from a small typed grammar over the
/// names of <see cref="Environment"/>: literals, event aggregates (with <c>where(...)</c>
/// filters), profile paths, traits, segments, <c>context.*</c> (flag rules only), functions and
/// operators. Compound sub-expressions are parenthesized, so precedence never decides a type.
/// </summary>
internal sealed class TypedTextGenerator
{
    public const int MaxLevel = 4;

    private static readonly ExprType[] ValueTypes = [ExprType.Bool, ExprType.Number, ExprType.String, ExprType.List, ExprType.Any];

    private readonly bool _flag;
    private readonly Dictionary<(ExprType, int), Gen<string>> _memo = [];
    private readonly Dictionary<int, Gen<string>> _filterMemo = [];

    public TypedTextGenerator(bool flag) => _flag = flag;

    /// <summary>Traits, segments and retention the generated texts refer to.</summary>
    public static SymbolEnvironment Environment(AggregateRegistry? registry = null) =>
        new SymbolEnvironment(registry) { Retention = TimeSpan.FromDays(7 * 1000) }
            .AddTrait("is_vip", ExprType.Bool)
            .AddTrait("total_spent", ExprType.Number)
            .AddTrait("favourite", ExprType.String)
            .AddTrait("tags", ExprType.List)
            .AddTrait("raw", ExprType.Any)
            .AddTrait("total spent", ExprType.Number)
            .AddSegment("vip_users")
            .AddSegment("recent buyers")
            .AddSegment("high_value");

    /// <summary>Texts of the given static type, with nesting up to <see cref="MaxLevel"/>.</summary>
    public Gen<string> Of(ExprType type) =>
        Gen.Sized(size => Gen.Choose(0, Math.Min(MaxLevel, (size / 10) + 1))).SelectMany(level => Of(type, level));

    /// <summary>A root for the expression kind: any type for a trait, a bool (or any) for a rule.</summary>
    public Gen<string> Root(ExpressionKind kind) => kind == ExpressionKind.Trait
        ? Gen.Elements(ValueTypes).SelectMany(Of)
        : Gen.Frequency((9, Of(ExprType.Bool)), (1, Of(ExprType.Any)));

    private static string P(string text) => "(" + text + ")";

    private static Gen<string> Format(Gen<string> a, Gen<string> b, Func<string, string, string> format) =>
        from x in a from y in b select format(x, y);

    public static Gen<string> NumberLiteral { get; } = Gen.OneOf(
        Gen.Choose(0, 100).Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Elements("0", "0.5", "2.5", "1e3", "1e308", "1.7976931348623157e308", "5e-324", "0.1", "100000000000000000000"));

    public static Gen<string> StringLiteral { get; } = Gen.Elements(
        "\"\"", "\"pro\"", "'premium'", "\"NL\"", "\"a\\\"b\"", "\"\\u00e9\\n\"", "\"中\"",
        "\"2024-01-01T00:00:00Z\"", "\"2024-02-29\"", "\"0001-01-01T00:00:00+01:00\"", "\"9999-12-31T23:59:59-01:00\"",
        "\"9999-12-31T23:59:59Z\"", "\"0001-01-01\"", "\"not a date\"", "\"1e3\"");

    /// <summary>A window argument: 1..1000 of m, h, d, w, or <c>all</c>.</summary>
    public static Gen<string> WindowText { get; } = Gen.Frequency(
        (8, from amount in Gen.Choose(1, 1000) from unit in Gen.Elements("m", "h", "d", "w") select amount.ToString(CultureInfo.InvariantCulture) + unit),
        (1, Gen.Constant("all")));

    public static Gen<string> PropertyArgument { get; } = Gen.Elements(
        "amount", "item.price", "properties[\"order total\"]", "properties.amount", "item[\"price\"]", "qty");

    private Gen<string> Selector(int level)
    {
        var bare = Gen.Elements("events.purchase", "events.app_open", "events[\"Order Completed\"]", "events['odd \"name']", "events.all", "events.in");
        if (level <= 0)
        {
            return bare;
        }

        return Gen.Frequency(
            (3, bare),
            (2, from selector in bare from predicate in Filter(level - 1) select $"{selector}.where({predicate})"),
            (1, from selector in bare from first in Filter(level - 1) from second in Filter(level - 1)
                select $"{selector}.where({first}).where({second})"));
    }

    private Gen<string> Aggregate(int level, bool numeric)
    {
        var windowed = Gen.OneOf(
            from amount in Gen.Choose(1, 1000) from unit in Gen.Elements("m", "h", "d", "w")
            select $"count_{amount}{unit}",
            Gen.Elements("count_all", "count(all)", "count_30d", "unique_days_14d", "first_seen_hours_ago", "last_seen_days_ago", "last_seen_minutes_ago"),
            WindowText.Select(w => $"count({w})"),
            Gen.Choose(1, 1000).Select(n => $"unique_days_{n}d"),
            Gen.Choose(1, 1000).Select(n => $"unique_days({n}d)"),
            from function in Gen.Elements("sum", "avg", "min", "max", "distinct")
            from property in PropertyArgument
            from window in WindowText
            select $"{function}({property}, {window})");
        var member = numeric ? windowed : Gen.Elements("first", "last").SelectMany(f => PropertyArgument.Select(p => $"{f}({p})"));
        return from selector in Selector(level) from m in member select $"{selector}.{m}";
    }

    /// <summary>A text of <paramref name="type"/> nested at most <paramref name="level"/> deep.</summary>
    public Gen<string> Of(ExprType type, int level)
    {
        if (_memo.TryGetValue((type, level), out var cached))
        {
            return cached;
        }

        var leaf = Leaf(type, level);
        var generator = level <= 0 ? leaf : Gen.Frequency((2, leaf), (5, Compound(type, level - 1)));
        _memo[(type, level)] = generator;
        return generator;
    }

    private Gen<string> Leaf(ExprType type, int level)
    {
        switch (type)
        {
            case ExprType.Bool:
                var booleans = Gen.Elements("true", "false", "is_vip", "trait(\"is_vip\")", "segment(\"vip_users\")", "segment(\"recent buyers\")", "segment(\"high_value\")");
                return _flag
                    ? Gen.Frequency((2, booleans), (1, Gen.Elements("(context.country == \"NL\")", "(context[\"user agent\"] != null)", "context.beta")))
                    : booleans;
            case ExprType.Number:
                return Gen.Frequency(
                    (3, NumberLiteral),
                    (3, Aggregate(level, numeric: true)),
                    (1, Gen.Elements("first_seen_hours_ago", "last_seen_days_ago", "first_seen_minutes_ago", "last_seen_hours_ago")),
                    (2, Gen.Elements("total_spent", "trait(\"total_spent\")", "trait(\"total spent\")")));
            case ExprType.String:
                return Gen.Frequency((4, StringLiteral), (1, Gen.Elements("favourite", "trait(\"favourite\")")));
            case ExprType.List:
                return Gen.Elements("[]", "[1, 2, 3]", "[\"pro\", \"premium\"]", "[true]", "[[1], []]", "tags", "trait(\"tags\")", "[-1, 0.5]");
            default:
                var values = Gen.Frequency(
                    (2, Gen.Elements(
                        "profile.plan", "profile[\"odd key\"]", "profile.address.city", "profile.tags[0]", "profile[\"tags\"][1]",
                        "profile.age", "profile.signup", "profile.flag", "profile", "raw", "trait(\"raw\")", "raw.x[2]")),
                    (1, Aggregate(level, numeric: false)));
                return _flag ? Gen.Frequency((2, values), (1, Gen.Elements("context.country", "context[\"user agent\"]", "context.beta"))) : values;
        }
    }

    private Gen<string> Compound(ExprType type, int level)
    {
        var boolean = Of(ExprType.Bool, level);
        var number = Of(ExprType.Number, level);
        var text = Of(ExprType.String, level);
        var list = Of(ExprType.List, level);
        var any = Of(ExprType.Any, level);

        // Where a number (string, ...) is needed, a value of type any or null is accepted too.
        var numeric = Gen.Frequency((6, number), (1, any), (1, Gen.Constant("null")));
        var textual = Gen.Frequency((6, text), (1, any), (1, Gen.Constant("null")));
        var booleanish = Gen.Frequency((6, boolean), (1, any));
        var orderable = Gen.OneOf(Gen.Zip(numeric, numeric), Gen.Zip(textual, textual), Gen.Zip(any, Gen.OneOf(number, text, any)));
        var equatable = Gen.OneOf(
            Gen.Zip(numeric, numeric), Gen.Zip(textual, textual), Gen.Zip(boolean, boolean), Gen.Zip(list, list),
            Gen.Zip(any, Gen.OneOf(boolean, number, text, list, any)),
            Gen.Elements(ValueTypes).SelectMany(t => Of(t, level)).Select(x => (x, "null")));

        switch (type)
        {
            case ExprType.Bool:
                return Gen.OneOf(
                    from pair in orderable from op in Gen.Elements("<", "<=", ">", ">=") select P($"{pair.Item1} {op} {pair.Item2}"),
                    from pair in equatable from op in Gen.Elements("==", "!=") select P($"{pair.Item1} {op} {pair.Item2}"),
                    from op in Gen.Elements("in", "not in")
                    from pair in Gen.OneOf(
                        Gen.Zip(numeric, Gen.Elements("[1, 2, 3]", "[-1, 0.5]", "[]")),
                        Gen.Zip(textual, Gen.Elements("[\"pro\", \"premium\"]", "[]")),
                        Gen.Zip(Gen.OneOf(boolean, number, text, list, any), Gen.OneOf(Gen.Elements("tags", "trait(\"tags\")"), any)),
                        Gen.Zip(any, list),
                        Format(number, number, (a, b) => $"[{a}, {b}]").SelectMany(l => any.Select(a => (a, l))))
                    select P($"{pair.Item1} {op} {pair.Item2}"),
                    from op in Gen.Elements("&&", "||", "and", "or") from pair in Gen.Zip(booleanish, booleanish) select P($"{pair.Item1} {op} {pair.Item2}"),
                    from op in Gen.Elements("!", "not ") from operand in booleanish select P(op + P(operand)),
                    Format(Gen.OneOf(text, any), textual, (a, b) => $"contains({a}, {b})"),
                    Format(Gen.OneOf(list, any), Gen.OneOf(boolean, number, text, list, any), (a, b) => $"contains({a}, {b})"),
                    from f in Gen.Elements("starts_with", "ends_with") from pair in Gen.Zip(textual, textual) select $"{f}({pair.Item1}, {pair.Item2})",
                    Format(boolean, booleanish, (a, b) => $"coalesce({a}, {b})"));
            case ExprType.Number:
                return Gen.OneOf(
                    from op in Gen.Elements("+", "-", "*", "/", "%") from pair in Gen.Zip(numeric, numeric) select P($"{pair.Item1} {op} {pair.Item2}"),
                    from op in Gen.Elements("/", "%") from left in numeric select P($"{left} {op} 0"),
                    numeric.Select(x => "-" + P(x)),
                    from f in Gen.Elements("abs", "round", "floor", "ceil") from x in numeric select $"{f}({x})",
                    from f in Gen.Elements("days_since", "hours_since", "minutes_since") from x in textual select $"{f}({x})",
                    Gen.OneOf(text, list, any).Select(x => $"len({x})"),
                    Format(number, Gen.OneOf(number, Gen.Constant("null")), (a, b) => $"coalesce({a}, {b})"));
            case ExprType.String:
                return Gen.OneOf(
                    from f in Gen.Elements("lower", "upper") from x in textual select $"{f}({x})",
                    Format(text, Gen.OneOf(text, Gen.Constant("null")), (a, b) => $"coalesce({a}, {b})"));
            case ExprType.List:
                return Gen.OneOf(
                    Format(number, numeric, (a, b) => $"[{a}, {b}]"),
                    Format(text, any, (a, b) => $"[{a}, {b}]"),
                    Format(list, Gen.Constant("[]"), (a, b) => $"coalesce({a}, {b})"));
            default:
                return Gen.OneOf(
                    from target in any from member in Gen.Elements("plan", "x", "in", "count_30d", "city") select P(target) + "." + member,
                    from target in Gen.OneOf(any, list) from key in Gen.OneOf(numeric, textual) select P(target) + "[" + key + "]",
                    Format(any, Gen.OneOf(number, text, any), (a, b) => $"coalesce({a}, {b})"),
                    Format(number, text, (a, b) => $"coalesce({a}, {b})"));
        }
    }

    /// <summary>A <c>where(...)</c> predicate: bare names are event properties; no traits, segments, aggregates or clock.</summary>
    public Gen<string> Filter(int level)
    {
        if (_filterMemo.TryGetValue(level, out var cached))
        {
            return cached;
        }

        var property = Gen.Elements("amount", "item.price", "properties[\"order total\"]", "plan", "currency", "title", "tags", "properties", "qty");
        var leaf = Gen.OneOf(
            from p in property from op in Gen.Elements(">", ">=", "<", "<=", "==", "!=") from n in NumberLiteral select $"{p} {op} {n}",
            from p in property from op in Gen.Elements("==", "!=") from s in StringLiteral select $"{p} {op} {s}",
            property.Select(p => $"{p} in [\"EUR\", \"USD\"]"),
            property.Select(p => $"contains(lower({p}), \"x\")"),
            property.Select(p => $"starts_with({p}, \"A\")"),
            property.Select(p => $"len({p}) > 2"),
            property.Select(p => $"abs({p}) / 0 > {p} % 0"),
            property.Select(p => $"profile.plan == {p}"),
            property.Select(p => $"coalesce({p}, false)"),
            Gen.Elements("true", "amount > 5", "amount>5", "properties.x == null", "flag"));
        var generator = level <= 0
            ? leaf
            : Gen.Frequency(
                (3, leaf),
                (1, Filter(level - 1).Select(x => P("!" + P(x)))),
                (2, from op in Gen.Elements("&&", "||") from a in Filter(level - 1) from b in Filter(level - 1) select P($"{a} {op} {b}")));
        _filterMemo[level] = generator;
        return generator;
    }
}
