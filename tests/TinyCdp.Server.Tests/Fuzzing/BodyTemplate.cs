using System.Globalization;
using System.Text.Json.Nodes;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// A valid request body and the paths of its values (<c>event</c>, <c>properties.items[0].sku</c>,
/// <c>batch[1].traits</c>), from which bodies with one field replaced or removed are made.
/// <see cref="Related"/> lists, for a field, the other fields an error may legitimately name when that
/// one is changed (a removed <c>userId</c> makes "userId or anonymousId is required"; a changed flag
/// <c>variants</c> can leave <c>defaultVariant</c> pointing nowhere).
/// </summary>
internal sealed class BodyTemplate
{
    private const string Placeholder = "\"FUZZSLOT7f3a\"";
    private static readonly byte[] PlaceholderBytes = JsonText.Utf8(Placeholder);

    private readonly string _json;
    private readonly Func<string, string[]> _related;

    public BodyTemplate(string json, Func<string, string[]>? related = null)
    {
        _json = JsonNode.Parse(json)!.ToJsonString();
        _related = related ?? (_ => []);
        Paths = [.. PathsOf(JsonNode.Parse(_json)!, "")];
    }

    public byte[] Valid => JsonText.Utf8(_json);

    /// <summary>The body's <c>key</c> member, if it has one (a PUT must go to the same key's path).</summary>
    public string? Key => JsonNode.Parse(_json)!["key"]?.GetValue<string>();

    public IReadOnlyList<string> Paths { get; }

    public string[] Related(string path) => _related(path);

    /// <summary>The body with the value at <paramref name="path"/> replaced by raw bytes.</summary>
    public byte[] Replace(string path, byte[] value)
    {
        var root = JsonNode.Parse(_json)!;
        var (parent, name, index) = Locate(root, path);
        var placeholder = JsonValue.Create("FUZZSLOT7f3a");
        if (name is not null)
        {
            parent[name] = placeholder;
        }
        else
        {
            parent.AsArray()[index] = placeholder;
        }

        return JsonText.Splice(JsonText.Utf8(root.ToJsonString()), PlaceholderBytes, value);
    }

    /// <summary>The body without the member (or array item) at <paramref name="path"/>.</summary>
    public byte[] Remove(string path)
    {
        var root = JsonNode.Parse(_json)!;
        var (parent, name, index) = Locate(root, path);
        if (name is not null)
        {
            parent.AsObject().Remove(name);
        }
        else
        {
            parent.AsArray().RemoveAt(index);
        }

        return JsonText.Utf8(root.ToJsonString());
    }

    /// <summary>The body with a <c>writeKey</c> member first (Segment's libraries send the key so).</summary>
    public static byte[]? WithWriteKey(byte[] body, string key) => WithWriteKey(body, JsonText.Utf8(JsonText.Quote(key)));

    /// <summary>The body with a <c>writeKey</c> member first whose value is raw bytes; null when the body does not start an object.</summary>
    public static byte[]? WithWriteKey(byte[] body, byte[] value)
    {
        var at = body.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
        if (at < 0 || body[at] != (byte)'{')
        {
            return null;
        }

        var empty = body.AsSpan(at + 1).IndexOfAnyExcept(" \t\r\n"u8) is var next && next >= 0 && body[at + 1 + next] == (byte)'}';
        return [.. body.AsSpan(0, at + 1), .. JsonText.Utf8("\"writeKey\":"), .. value, .. (empty ? ""u8 : ","u8), .. body.AsSpan(at + 1)];
    }

    private static IEnumerable<string> PathsOf(JsonNode node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var path = prefix.Length == 0 ? name : prefix + "." + name;
                    yield return path;
                    if (child is not null)
                    {
                        foreach (var inner in PathsOf(child, path))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = string.Create(CultureInfo.InvariantCulture, $"{prefix}[{i}]");
                    yield return path;
                    if (array[i] is { } child)
                    {
                        foreach (var inner in PathsOf(child, path))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }

    private static (JsonNode Parent, string? Name, int Index) Locate(JsonNode root, string path)
    {
        var segments = Segments(path).ToList();
        var node = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            node = segments[i] is string name ? node[name]! : node[(int)segments[i]]!;
        }

        return segments[^1] is string last ? (node, last, -1) : (node, null, (int)segments[^1]);
    }

    private static IEnumerable<object> Segments(string path)
    {
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket != 0)
            {
                yield return bracket < 0 ? part : part[..bracket];
            }

            while (bracket >= 0)
            {
                var close = part.IndexOf(']', bracket);
                yield return int.Parse(part[(bracket + 1)..close], CultureInfo.InvariantCulture);
                bracket = part.IndexOf('[', close);
            }
        }
    }
}
