using FsCheck;
using FsCheck.Fluent;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>Expression text for the definition routes: token soup, deep nesting, long chains and names from other languages.</summary>
internal static class ExpressionTexts
{
    private static readonly string[] Tokens =
    [
        "events", ".", "purchase", "count_30d", "count_99999999999d", "count_all", "(", ")", "[", "]", "&&", "||", "!", "not", "and", "or",
        "==", "!=", "<", ">=", "in", "1", "0", "1e309", "-", "+", "*", "/", "%", "30d", "0d", "9999999999999999999999d", "\"x\"", "'y'",
        "\"\\ud800\"", "profile", "plan", "context", "country", "trait(\"fuzz_trait\")", "segment(\"fuzz_segment\")", "trait(\"nope\")",
        "[1, 2]", ",", "where(amount > 1)", ".count_7d", "sum(amount, 30d)", "len(", "coalesce(", "days_since(", "true", "false", "null",
        "typeof", "System.IO.File.ReadAllText(\"/etc/passwd\")", "`ls`", "__proto__", "$x", "#comment\n", "\u0000", "🎉", "\ud800",
    ];

    public static readonly Gen<string> Soup =
        from count in Gen.Choose(0, 40)
        from tokens in Gen.Elements(Tokens).ArrayOf(count)
        from spaced in Gen.Elements(true, false)
        select string.Join(spaced ? " " : "", tokens);

    public static readonly Gen<string> Nested =
        from depth in Gen.Elements(63, 64, 65, 100, 1_000, 4_990, 10_000)
        from shape in Gen.Elements("(", "[", "!", "-", "not ", "f(")
        select shape switch
        {
            "(" => new string('(', depth) + "true" + new string(')', depth),
            "[" => new string('[', depth) + "1" + new string(']', depth) + " == [1]",
            "f(" => string.Concat(Enumerable.Repeat("coalesce(", depth)) + "1" + new string(')', depth) + " > 0",
            _ => string.Concat(Enumerable.Repeat(shape, depth)) + (shape == "-" ? "1 > 0" : "true"),
        };

    public static readonly Gen<string> Chains =
        from count in Gen.Elements(60, 99, 100, 101, 1_000, 2_400)
        from op in Gen.Elements(" && ", " || ", " + ", " == ")
        select op == " + "
            ? string.Join(op, Enumerable.Repeat("events.purchase.count_30d", count)) + " > 1"
            : op == " == "
                ? string.Join(op, Enumerable.Repeat("true", count))
                : string.Join(op, Enumerable.Repeat("(profile.plan == \"pro\" || context.country == \"DE\")", count));

    public static readonly Gen<RawValue> Any = Gen.Frequency(
        (4, Soup),
        (2, Nested),
        (2, Chains),
        (1, Gen.Elements(new string('x', 10_000), new string('x', 10_001), "1 + " + new string('1', 9_996), "profile.a == \"" + new string('z', 20_000) + "\"")))
        .Select(text => RawValue.String("expression", text));
}
