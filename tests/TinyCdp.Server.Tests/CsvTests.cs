using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.AspNetCore.Endpoints.Admin;

namespace TinyCdp.Server.Tests;

public sealed class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=a,b", "\"'=a,b\"")]
    public void Cell_QuotesAndEscapes(string? value, string expected) => Assert.Equal(expected, Csv.Cell(value));

    [Fact]
    public void Row_EndsWithCrLf() => Assert.Equal("a,\"b,c\",\r\n", Csv.Row("a", "b,c", null));

    /// <summary>
    /// Any text, read back from its cell as RFC 4180 says, is the text itself, or the text behind a
    /// leading <c>'</c> when it starts like a formula; no cell read back starts like a formula.
    /// </summary>
    [Property(MaxTest = 1000)]
    public Property Cell_AnyText_ReadsBackAsTheTextOrItsEscape() =>
        Prop.ForAll(
            Gen.OneOf(Gen.Elements('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', '\'', ' ', 'a'), Gen.Choose(0, 0xFFFF).Select(c => (char)c))
                .ArrayOf().Select(chars => new string(chars)).ToArbitrary(),
            text =>
            {
                var read = ReadCell(Csv.Cell(text));
                var expected = text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
                return read == expected && !(read.Length > 0 && read[0] is '=' or '+' or '-' or '@' or '\t' or '\r');
            });

    private static string ReadCell(string cell)
    {
        if (!cell.StartsWith('"'))
        {
            Assert.DoesNotContain(cell, c => c is ',' or '"' or '\r' or '\n');
            return cell;
        }

        Assert.EndsWith("\"", cell, StringComparison.Ordinal);
        var inner = cell[1..^1];
        var text = new StringBuilder();
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '"')
            {
                Assert.Equal('"', inner[++i]);
            }

            text.Append(inner[i]);
        }

        return text.ToString();
    }
}
