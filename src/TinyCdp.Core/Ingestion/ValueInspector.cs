using System.Text;
using TinyCdp.Language;

namespace TinyCdp.Ingestion;

/// <summary>
/// Finds what would make a property bag unsafe to keep: nesting deeper than
/// <see cref="MessageLimits.MaxDepth"/> (the stores and the writer recurse) and strings or keys
/// that are not valid Unicode: unpaired surrogates, which cannot be written as UTF-8 without
/// changing them. The path is
/// only built when there is a problem.
/// </summary>
internal static class ValueInspector
{
    public const string InvalidUnicode = "contains invalid Unicode text";

    public static string TooDeep => $"is nested too deeply (more than {MessageLimits.MaxDepth} levels)";

    /// <summary>Returns (path, problem) for the first problem inside <paramref name="value"/>, or null.</summary>
    public static (string Path, string Problem)? FindProblem(Value value, string field)
    {
        var path = new List<string>();
        var problem = Walk(value, 1, path);
        if (problem is null)
        {
            return null;
        }

        var builder = new StringBuilder(field);
        for (var i = path.Count - 1; i >= 0; i--)
        {
            builder.Append(path[i]);
        }

        return (builder.ToString(), problem);
    }

    // Path segments are appended while unwinding, so they come out innermost first.
    private static string? Walk(Value value, int depth, List<string> path)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                return Utf16IsValid(value.AsString!) ? null : InvalidUnicode;
            case ValueKind.List:
                if (depth > MessageLimits.MaxDepth)
                {
                    return TooDeep;
                }

                var items = value.Items;
                for (var i = 0; i < items.Length; i++)
                {
                    if (Walk(items[i], depth + 1, path) is { } problem)
                    {
                        path.Add(FormattableString.Invariant($"[{i}]"));
                        return problem;
                    }
                }

                return null;
            case ValueKind.Object:
                if (depth > MessageLimits.MaxDepth)
                {
                    return TooDeep;
                }

                foreach (var (key, item) in value.Properties!)
                {
                    if (!Utf16IsValid(key))
                    {
                        return "has a field name that " + InvalidUnicode;
                    }

                    if (Walk(item, depth + 1, path) is { } problem)
                    {
                        path.Add("." + key);
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    public static bool Utf16IsValid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
