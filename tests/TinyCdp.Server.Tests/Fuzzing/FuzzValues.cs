using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>The hostile values the fuzz tests put into bodies, paths and query strings.</summary>
internal static class FuzzValues
{
    public const int LongLength = 100_000;

    /// <summary>Texts that have broken parsers, encoders and databases before.</summary>
    public static readonly string[] OddTexts =
    [
        "", " ", "\t\r\n", "plain", "Order Completed", "a.b.c", "a/b", "a%2Fb", "?x=1&y=2", "#frag",
        "🎉", "🎉🔥👩‍👩‍👧‍👦", "\u202Eevil\u202C", "مرحبا بالعالم", "שלום", "日本語テキスト", "e\u0301", "a\u200Bb", "\u200D", "\uFEFF", "\uFFFE", "\uFFFF",
        "\u0000", "a\u0000b", "\u0001\u001F\u007F", "\u2028\u2029", "\ud800", "\udc00", "\udc00\ud800", "x\ud83d", "\ud83dx",
        "' OR 1=1 --", "\"; DROP TABLE events; --", "<script>alert(1)</script>", "../../etc/passwd", "C:\\Windows\\System32", "%00", "%s%s%s%n",
        "${jndi:ldap://example.invalid/a}", "{{7*7}}", "=HYPERLINK(\"http://example.invalid\")", "+1", "-1", "@SUM(A1)",
        "null", "undefined", "true", "0", "-0", "NaN", "Infinity", "1e309", "[]", "{}", "__proto__", "constructor", "tcdp_not-a-real-key",
        "someone@example.invalid", new string('a', 200), new string('a', 201), new string('é', 150),
    ];

    /// <summary>Timestamps that are odd, impossible or not timestamps at all.</summary>
    public static readonly string[] OddTimestamps =
    [
        "0000-01-01", "0001-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z", "10000-01-01T00:00:00Z",
        "2026-02-30", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z", "2026-06-30T23:59:60.5Z",
        "2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00", "2026-01-01T00:00:00+15:00", "2026-01-01T00:00:00-25:00", "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00.123456789012Z", "2026-01-01T00:00:00,5Z", "2026-01-01 00:00:00", "2026-01-01T00:00:00", "2026-01-01", "20260101T000000Z",
        "2026-W01-1", "2026-001", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "not a date", "", " ", "now", "yesterday", "1700000000", "1700000000000",
        "Thu, 01 Jan 2026 00:00:00 GMT", "2026-01-01T00:00:00Z\u0000", "２０２６-01-01T00:00:00Z",
    ];

    /// <summary>Numbers JSON allows that are out of range, negative zero, too precise or too long.</summary>
    public static readonly string[] OddNumbers =
    [
        "1e309", "-1e309", "1e-400", "-0", "0", "-1", "1.5", "123456789012345678901234567890", "-123456789012345678901234567890",
        "9007199254740993", "1E+2", "4.9e-324", "1.7976931348623157e308", "0.1e1", "1" + new string('0', 400),
    ];

    /// <summary>Tokens JSON does not allow.</summary>
    public static readonly string[] BrokenTokens =
    [
        "NaN", "Infinity", "-Infinity", "0x10", "01", ".5", "+1", "1.", "-", "1e", "tru", "nul", "'single'", "undefined",
        "\"unterminated", "\"bad \\q escape\"", "\"\\u12\"", "{", "[", "}", "]", ",", ":", "\"a\":1", "1 2", "[1,]", "{\"a\":1,}", "/* c */ 1",
    ];

    /// <summary>String tokens whose bytes are not UTF-8.</summary>
    public static readonly byte[][] InvalidUtf8 =
    [
        [0x22, 0xFF, 0xFE, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
        [0x22, 0x61, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xC3, 0x22], [0xFF], [0xC3],
    ];

    private static readonly RawValue[] WrongTypes =
    [
        RawValue.Json("number", "42"), RawValue.Json("true", "true"), RawValue.Json("false", "false"), RawValue.Json("null", "null"),
        RawValue.Json("empty array", "[]"), RawValue.Json("empty object", "{}"), RawValue.Json("mixed array", "[1,\"a\",null,{}]"),
        RawValue.Json("nested object", "{\"a\":{\"b\":[1,{\"c\":null}]}}"), RawValue.Json("string", "\"x\""), RawValue.Json("empty string", "\"\""),
        RawValue.Json("array of strings", "[\"a\",\"b\"]"), RawValue.Json("object of numbers", "{\"on\":1,\"off\":\"x\"}"),
    ];

    /// <summary>Any UTF-16 text (lone surrogates included), mostly short.</summary>
    public static readonly Gen<string> RandomText =
        Gen.OneOf(Gen.Choose(0x20, 0x7E), Gen.Choose(0, 0x1F), Gen.Choose(0x80, 0xFFFF), Gen.Choose(0xD800, 0xDFFF))
            .Select(code => (char)code)
            .ArrayOf()
            .Select(chars => new string(chars));

    /// <summary>Odd, random or very long text.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.Elements(OddTexts)),
        (3, RandomText),
        (1, Gen.Elements(OddTimestamps)),
        (1, Gen.Elements(new string('x', LongLength), string.Concat(Enumerable.Repeat("🎉", LongLength / 2)), new string('\u0000', LongLength))));

    /// <summary>Deep nesting of arrays or objects, closed or not.</summary>
    public static readonly Gen<RawValue> Nested =
        from depth in Gen.Elements(65, 100, 257, 1_000, 10_000)
        from arrays in Gen.Elements(true, false)
        from closed in Gen.Elements(true, false)
        select Nest(depth, arrays, closed);

    /// <summary>Any value a field might receive instead of the one it expects.</summary>
    public static readonly Gen<RawValue> Value = Gen.Frequency(
        (5, Gen.Elements(WrongTypes)),
        (5, Text.Select(text => RawValue.String("text", text))),
        (1, Text.Select(text => RawValue.String("text, ASCII escapes", text, asciiOnly: true))),
        (2, Gen.Elements(OddTimestamps).Select(text => RawValue.String("timestamp", text))),
        (2, Gen.Elements(OddNumbers).Select(number => RawValue.Json("number", number))),
        (2, Gen.Elements(BrokenTokens).Select(token => RawValue.Json("broken token", token, mayBreakBody: true))),
        (2, Gen.Elements(InvalidUtf8).Select(bytes => new RawValue("invalid UTF-8", bytes, MayBreakBody: true))),
        (1, Nested));

    public static RawValue Nest(int depth, bool arrays, bool closed)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            builder.Append(arrays ? "[" : "{\"a\":");
        }

        builder.Append('1');
        if (closed)
        {
            builder.Append(arrays ? ']' : '}', depth);
        }

        return RawValue.Json($"{depth} levels of {(arrays ? "[" : "{")}{(closed ? "" : ", unclosed")}", builder.ToString(), mayBreakBody: true);
    }

    /// <summary>Bytes for a query value or a path segment: UTF-8 of odd text, or bytes that are not UTF-8.</summary>
    public static readonly Gen<byte[]> UrlBytes = Gen.Frequency(
        (6, Gen.Elements(OddTexts).Select(Encoding.UTF8.GetBytes)),
        (2, RandomText.Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Elements(OddTimestamps).Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Elements(OddNumbers).Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Elements<byte[]>([0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0x61, 0xF8, 0x88], [0xF4, 0x90, 0x80, 0x80])),
        (1, Gen.Elements(300, 1_000, 2_000).Select(n => Encoding.UTF8.GetBytes(new string('q', n)))));

    /// <summary>Percent-encodes every byte that is not unreserved (RFC 3986), so any bytes can travel in a URL.</summary>
    public static string PercentEncode(byte[] bytes)
    {
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
