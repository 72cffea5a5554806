using TinyCdp.Language.Syntax;
using Xunit.Abstractions;

namespace TinyCdp.Core.Tests.Language;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        string[] inputs = [
            "events.purchase.count_30d >= 3", "profile.plan in [\"premium\", \"enterprise\"]", "a and b or not c", "notes", "a not in b",
            "events.purchase.count_30d >= ", "a < b < c", "1.2.3", "'abc", "a b", "(a", "a.", "events[\"Order Completed\"].where(amount > 5).sum(amount, 30d)",
            "- -2", "!a == b", "(a + b) * c", "a - (b - c)", "3.x", "1e3", "2m", "0d", "x = 1", "a && and", "\"\\q\"", "f(a,)", "[1,2", "1E+21 # comment\n + 2",
            "not not a", "a in b in c", "!= 3", "12abc", "", "   ", "a[0].b(1)(2)", "-a.b", "(-a).b", "(3).x", "!(a && b)", "a || b && c", "(a || b) && c",
        ];
        foreach (var input in inputs)
        {
            output.WriteLine(ExpressionParser.TryParse(input, out var e, out var err) ? $"OK  {input} => {e} [{e.Span}]" : $"ERR {input} => {err.Message} [{err.Span}]");
        }
    }
}
