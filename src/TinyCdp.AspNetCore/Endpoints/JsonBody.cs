using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using TinyCdp.AspNetCore.Endpoints.Ingest;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// Reads a request body as one JSON object for the admin and OFREP routes, whatever its content type:
/// at most <see cref="TinyCdpApiOptions.MaxRequestBodyBytes"/>, UTF-8 (a byte order mark is skipped), nested at
/// most <c>maxDepth</c> levels. System.Text.Json decodes strings only when asked and then throws on
/// invalid UTF-8 or an unpaired surrogate escape (<c>"\ud800"</c>); the body is checked as a whole
/// first and <see cref="FindInvalidText"/> names a value that cannot be decoded, so nothing later throws.
/// </summary>
internal static class JsonBody
{
    public const string InvalidText = "contains invalid Unicode text";

    public static async Task<(JsonDocument? Document, JsonBodyError? Error)> ReadObjectAsync(HttpRequest request, int maxDepth)
    {
        var bytes = await RequestBody.ReadAsync(request, TinyCdpApiOptions.MaxRequestBodyBytes, request.HttpContext.RequestAborted);
        if (bytes is null)
        {
            return (null, new JsonBodyError("body", "request body too large", TooLarge: true));
        }

        var json = bytes.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        if (json.Length == 0)
        {
            return (null, new JsonBodyError("body", "the request body is required: a JSON object"));
        }

        if (!Utf8.IsValid(json.Span))
        {
            return (null, new JsonBodyError("body", "the request body is not valid UTF-8"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException exception)
        {
            return (null, new JsonBodyError("body", string.Create(CultureInfo.InvariantCulture,
                $"the request body is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, byte {(exception.BytePositionInLine ?? 0) + 1})")));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, new JsonBodyError("body", "the request body must be a JSON object"));
        }

        return (document, null);
    }

    /// <summary>The path of the first string or member name under <paramref name="element"/> that is not valid Unicode, or null.</summary>
    public static JsonBodyError? FindInvalidText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !CanDecode(element):
                return new JsonBodyError(path, $"{path} {InvalidText}");
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidText(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]")) is { } inItem)
                    {
                        return inItem;
                    }
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return new JsonBodyError(path, $"{path} has a member name that {InvalidText}");
                    }

                    if (FindInvalidText(property.Value, path == "body" ? name : path + "." + name) is { } inMember)
                    {
                        return inMember;
                    }
                }

                break;
        }

        return null;
    }

    private static bool CanDecode(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
