using System.Text.Json;
using TinyCdp.Language;

namespace TinyCdp.AspNetCore.Endpoints.Admin;

/// <summary>Writes an explanation tree as JSON: <c>{text, value, windowStart?, windowEnd?, eventCount?, reference?, children}</c>.</summary>
internal static class ExplanationJson
{
    private const int MaxDepth = 48;

    public static void Write(Utf8JsonWriter writer, Explanation explanation, int depth = 0)
    {
        writer.WriteStartObject();
        WriteMembers(writer, explanation, depth);
        writer.WriteEndObject();
    }

    /// <summary>Writes the node's members into an object being written.</summary>
    public static void WriteMembers(Utf8JsonWriter writer, Explanation explanation, int depth = 0)
    {
        writer.WriteString("text", explanation.Text);
        writer.WritePropertyName("value");
        explanation.Value.WriteTo(writer);
        if (explanation.WindowStart is { } start)
        {
            writer.WriteString("windowStart", AdminHttp.Iso(start));
        }

        if (explanation.WindowEnd is { } end)
        {
            writer.WriteString("windowEnd", AdminHttp.Iso(end));
        }

        if (explanation.EventCount is { } count)
        {
            writer.WriteNumber("eventCount", count);
        }

        if (explanation.Reference is { } reference)
        {
            writer.WriteString("reference", reference);
        }

        writer.WriteStartArray("children");
        if (depth < MaxDepth)
        {
            foreach (var child in explanation.Children)
            {
                Write(writer, child, depth + 1);
            }
        }

        writer.WriteEndArray();
    }
}
