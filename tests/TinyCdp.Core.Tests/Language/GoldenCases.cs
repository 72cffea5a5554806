using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language;

/// <summary>
/// Reads the golden case files in Cases/: one case per line, <c>input ==> expected</c>. Lines
/// starting with '#' are comments; '@kind trait|segment|flag|filter' and '@retention 30d' set
/// how the following lines compile. In inputs, «NL» stands for a line break.
/// </summary>
public static class GoldenCases
{
    public const string Arrow = " ==> ";

    public sealed record Case(string File, int Line, ExpressionKind Kind, TimeSpan? Retention, string Input, string Expected)
    {
        public override string ToString() => $"{File}:{Line}: {Input}";
    }

    public static IEnumerable<object[]> Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Language", "Cases", file);
        var kind = ExpressionKind.Flag;
        TimeSpan? retention = null;
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("@kind ", StringComparison.Ordinal))
            {
                kind = line[6..] switch
                {
                    "trait" => ExpressionKind.Trait,
                    "segment" => ExpressionKind.Segment,
                    "flag" => ExpressionKind.Flag,
                    "filter" => ExpressionKind.EventFilter,
                    var other => throw new InvalidOperationException($"{file}:{number}: unknown kind '{other}'"),
                };
                continue;
            }

            if (line.StartsWith("@retention ", StringComparison.Ordinal))
            {
                var text = line[11..];
                retention = text == "none" ? null : TimeSpan.FromDays(int.Parse(text.TrimEnd('d'), System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            var arrow = line.LastIndexOf(Arrow, StringComparison.Ordinal);
            if (arrow < 0)
            {
                throw new InvalidOperationException($"{file}:{number}: a case needs '{Arrow.Trim()}'");
            }

            yield return [new Case(file, number, kind, retention, line[..arrow].Replace("«NL»", "\n", StringComparison.Ordinal), line[(arrow + Arrow.Length)..])];
        }
    }

    /// <summary>The environment every golden case compiles against.</summary>
    public static SymbolEnvironment Environment(ExpressionKind kind, TimeSpan? retention) =>
        new SymbolEnvironment { Retention = retention }
            .AddTrait("frequent_buyer", ExprType.Bool)
            .AddTrait("habitual_user", ExprType.Bool)
            .AddTrait("paying_plan", ExprType.Bool)
            .AddTrait("power_user", ExprType.Bool)
            .AddTrait("recent_buyer", ExprType.Bool)
            .AddTrait("total_spent", ExprType.Number)
            .AddTrait("plan_name", ExprType.String)
            .AddTrait("favourite_tags", ExprType.List)
            .AddTrait("last_order", ExprType.Any)
            .AddSegment("vip_users")
            .AddSegment("recent_buyers")
            .AddSegment("high_value");
}
