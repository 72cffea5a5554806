using System.Globalization;
using System.Text;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>JSON text built by hand, so that it can hold what a serializer never writes (lone surrogates, invalid UTF-8, broken tokens).</summary>
internal static class JsonText
{
    /// <summary>
    /// A JSON string literal for <paramref name="text"/>: quotes, backslashes and control characters
    /// escaped; surrogates that are not part of a pair written as <c>\uXXXX</c> escapes (the only way
    /// JSON can carry them); everything else as UTF-8, or as <c>\uXXXX</c> when <paramref name="asciiOnly"/>.
    /// </summary>
    public static string Quote(string text, bool asciiOnly = false)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                case > '~' when asciiOnly:
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (paired)
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Replaces the first occurrence of <paramref name="placeholder"/> in <paramref name="json"/> by raw bytes.</summary>
    public static byte[] Splice(byte[] json, byte[] placeholder, byte[] replacement)
    {
        var at = json.AsSpan().IndexOf(placeholder);
        if (at < 0)
        {
            throw new InvalidOperationException("placeholder not found");
        }

        return [.. json.AsSpan(0, at), .. replacement, .. json.AsSpan(at + placeholder.Length)];
    }

    /// <summary>Text for a log or an assertion: at most <paramref name="max"/> characters, bytes that are not printable ASCII escaped.</summary>
    public static string Show(byte[]? bytes, int max = 300)
    {
        if (bytes is null)
        {
            return "(no body)";
        }

        var builder = new StringBuilder();
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, max)))
        {
            builder.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return bytes.Length > max ? $"{builder}… ({bytes.Length} bytes)" : builder.ToString();
    }
}
