using System.Globalization;
using System.Text;

namespace TinyCdp.Language.Syntax;

/// <summary>The language's words: reserved words, name rules and string quoting.</summary>
internal static class Lexicon
{
    private static readonly HashSet<string> ReservedWords =
        new(["true", "false", "null", "and", "or", "not", "in", "events", "profile"], StringComparer.Ordinal);

    /// <summary>The reserved words: <c>true false null and or not in events profile</c>.</summary>
    public static IReadOnlyCollection<string> Reserved => ReservedWords;

    /// <summary>Whether a word is reserved.</summary>
    public static bool IsReserved(string word) => ReservedWords.Contains(word);

    /// <summary>Whether a character may start a name.</summary>
    public static bool IsNameStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    /// <summary>Whether a character may continue a name.</summary>
    public static bool IsNamePart(char c) => IsNameStart(c) || c is >= '0' and <= '9';

    /// <summary>Whether the text matches <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsPlainName(string text) =>
        text.Length > 0 && IsNameStart(text[0]) && text.AsSpan(1).IndexOfAnyExcept(NameChars) < 0;

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>A double-quoted string literal that reads back as <paramref name="text"/>.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
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
}
