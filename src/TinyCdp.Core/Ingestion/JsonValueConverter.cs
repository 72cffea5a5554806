using System.Text;
using System.Text.Json;
using TinyCdp.Language;

namespace TinyCdp.Ingestion;

/// <summary>
/// Converts JSON to <see cref="Value"/> like <see cref="Value.FromJson"/> (duplicate keys: the last
/// wins; numbers outside the double range become null), but never throws: nesting deeper than
/// <see cref="MessageLimits.MaxDepth"/> and strings or keys System.Text.Json refuses to decode
/// (an unpaired surrogate escape such as <c>"\ud800"</c>, or invalid UTF-8 in a document the caller
/// parsed) are reported with their path.
/// </summary>
internal static class JsonValueConverter
{
    public static bool TryConvert(JsonElement element, string field, out Value value, out (string Path, string Problem) problem)
    {
        var path = new List<string>();
        if (Convert(element, 1, path, out value) is not { } text)
        {
            problem = default;
            return true;
        }

        var builder = new StringBuilder(field);
        for (var i = path.Count - 1; i >= 0; i--)
        {
            builder.Append(path[i]);
        }

        problem = (builder.ToString(), text);
        return false;
    }

    /// <summary>The element's string, or null when it is not valid Unicode.</summary>
    public static string? TryGetString(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The property's name, or null when it is not valid Unicode.</summary>
    public static string? TryGetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // Returns the problem, or null; path segments are added innermost first while unwinding.
    private static string? Convert(JsonElement element, int depth, List<string> path, out Value value)
    {
        value = Value.Null;
        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                value = Value.True;
                return null;
            case JsonValueKind.False:
                value = Value.False;
                return null;
            case JsonValueKind.Number:
                value = element.TryGetDouble(out var number) ? Value.Number(number) : Value.Null;
                return null;
            case JsonValueKind.String:
                var text = TryGetString(element);
                value = Value.String(text);
                return text is null ? ValueInspector.InvalidUnicode : null;
            case JsonValueKind.Array:
            {
                if (depth > MessageLimits.MaxDepth)
                {
                    return ValueInspector.TooDeep;
                }

                var items = new Value[element.GetArrayLength()];
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Convert(item, depth + 1, path, out items[i]) is { } problem)
                    {
                        path.Add(FormattableString.Invariant($"[{i}]"));
                        return problem;
                    }

                    i++;
                }

                value = Value.List(items);
                return null;
            }

            case JsonValueKind.Object:
            {
                if (depth > MessageLimits.MaxDepth)
                {
                    return ValueInspector.TooDeep;
                }

                var properties = new Dictionary<string, Value>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (TryGetName(property) is not { } name)
                    {
                        return "has a field name that " + ValueInspector.InvalidUnicode;
                    }

                    if (Convert(property.Value, depth + 1, path, out var item) is { } problem)
                    {
                        path.Add("." + name);
                        return problem;
                    }

                    properties[name] = item;
                }

                value = Value.Object(properties);
                return null;
            }

            default:
                return null;
        }
    }
}
