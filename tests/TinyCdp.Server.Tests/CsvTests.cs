using TinyCdp.Server.Endpoints.Admin;

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
}
