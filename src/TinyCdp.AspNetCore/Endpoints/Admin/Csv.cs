using System.Text;

namespace TinyCdp.AspNetCore.Endpoints.Admin;

/// <summary>RFC 4180 cells, with formula-injection escaping (a cell starting with <c>= + - @</c>, tab or carriage return gets a leading <c>'</c>).</summary>
internal static class Csv
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            builder.Append(c == '"' ? "\"\"" : c.ToString());
        }

        return builder.Append('"').ToString();
    }

    public static string Row(params string?[] cells) => string.Join(',', cells.Select(Cell)) + "\r\n";
}
