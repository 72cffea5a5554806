using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TinyCdp.Definitions;
using TinyCdp.Language;
using TinyCdp.AspNetCore.Auth;

namespace TinyCdp.AspNetCore.Endpoints.Admin;

/// <summary>Request parsing and response writing shared by the admin and export routes: never a 500 on client input.</summary>
internal static class AdminHttp
{
    /// <summary>A 400 naming the field at fault in <c>errors</c>.</summary>
    public static IResult FieldError(string field, string message) => Problems.FieldError(field, message);

    /// <summary>
    /// Reads the body as one JSON object: 413 over the size limit; 400 naming <c>body</c> when it is empty,
    /// not UTF-8, not JSON, nested deeper than 64 levels or not an object; 400 naming the path of any
    /// string or member name that is not valid Unicode (admin bodies are read whole, so all of it must
    /// be decodable).
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(request, maxDepth: 64);
        error ??= JsonBody.FindInvalidText(document!.RootElement, "body");
        if (error is null)
        {
            return (document, null);
        }

        document?.Dispose();
        return (null, error.TooLarge
            ? Problems.Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", error.Message)
            : FieldError(error.Field, error.Message));
    }

    /// <summary>A string member: missing or null is <c>null</c> (an error when <paramref name="required"/>); any other type is an error.</summary>
    public static bool TryGetString(JsonElement root, string name, bool required, out string? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = FieldError(name, $"{name} is required");
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = FieldError(name, $"{name} must be a string");
            return false;
        }

        value = element.GetString();
        if (required && string.IsNullOrEmpty(value))
        {
            error = FieldError(name, $"{name} is required");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a draft's <c>expression</c> (required) and <c>type</c> (<c>trait</c>, <c>segment</c> — the
    /// default — or <c>flag</c>), as the validate and preview routes take them.
    /// </summary>
    public static bool TryReadDraft(JsonElement root, out string? expression, out DefinitionKind kind, out IResult? error)
    {
        kind = DefinitionKind.Segment;
        if (!TryGetString(root, "expression", true, out expression, out error) || !TryGetString(root, "type", false, out var type, out error))
        {
            return false;
        }

        switch (type)
        {
            case null or "segment":
                return true;
            case "trait":
                kind = DefinitionKind.Trait;
                return true;
            case "flag":
                kind = DefinitionKind.Flag;
                return true;
            default:
                error = FieldError("type", "type must be trait, segment or flag");
                return false;
        }
    }

    /// <summary>Parses an optional instant query parameter.</summary>
    public static bool TryParseInstant(string? text, string name, out DateTimeOffset? value, out IResult? error)
    {
        value = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = FieldError(name, $"{name} must be an ISO-8601 instant");
        return false;
    }

    /// <summary>Parses an optional integer query parameter within a range.</summary>
    public static bool TryParseInteger(string? text, string name, long defaultValue, long min, long max, out long value, out IResult? error)
    {
        value = defaultValue;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        error = FieldError(name, $"{name} must be an integer from {min} to {max}");
        return false;
    }

    /// <summary>Parses an optional boolean query parameter.</summary>
    public static bool TryParseBool(string? text, string name, out bool value, out IResult? error)
    {
        error = null;
        value = false;
        switch (text?.ToUpperInvariant())
        {
            case null or "" or "FALSE" or "0":
                return true;
            case "TRUE" or "1":
                value = true;
                return true;
            default:
                error = FieldError(name, $"{name} must be true or false");
                return false;
        }
    }

    /// <summary>The API key id of the caller, recorded as the actor of definition changes.</summary>
    public static string? Actor(HttpContext context) => Tiers.KeyIdOf(context.User);

    /// <summary>A JSON object response written member by member.</summary>
    public static IResult Json(Action<Utf8JsonWriter> members, int status = StatusCodes.Status200OK)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Results.Text(Encoding.UTF8.GetString(buffer.WrittenSpan), "application/json", Encoding.UTF8, status);
    }

    /// <summary>An instant as ISO-8601 UTC.</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Writes an optional instant (null when absent).</summary>
    public static void WriteInstant(Utf8JsonWriter writer, string name, DateTimeOffset? instant)
    {
        if (instant is { } value)
        {
            writer.WriteString(name, Iso(value));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes a JSON object stored as text; an empty object when it does not parse.</summary>
    public static void WriteRawObject(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (string.IsNullOrEmpty(json))
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            writer.WriteRawValue(json);
        }
        catch (JsonException)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }

    /// <summary>Writes an expression error's span.</summary>
    public static void WriteSpan(Utf8JsonWriter writer, ExpressionError error)
    {
        writer.WriteStartObject("span");
        writer.WriteNumber("start", error.Span.Start);
        writer.WriteNumber("end", error.Span.End);
        writer.WriteNumber("line", error.Line);
        writer.WriteNumber("column", error.Column);
        writer.WriteEndObject();
    }

    /// <summary>The problem for a refused definition change.</summary>
    public static IResult DefinitionProblem(DefinitionResult result)
    {
        var error = result.Error!;
        switch (result.Code)
        {
            case TinyCdpErrorCode.AlreadyExists:
                return Problems.Result(StatusCodes.Status409Conflict, "already_exists", error.Message);
            case TinyCdpErrorCode.NotFound:
                return Problems.NotFound(error.Message);
            case TinyCdpErrorCode.Conflict:
                return Problems.Result(StatusCodes.Status409Conflict, "failed_precondition", error.Message,
                    new Dictionary<string, object?> { ["dependents"] = error.Dependents.ToArray() });
            default:
                var message = error.Expression?.Message ?? error.Message;
                var extensions = new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { [error.Field] = [message] },
                    ["field"] = error.Field,
                };
                if (error.Expression is { } expression)
                {
                    extensions["span"] = new Dictionary<string, int>
                    {
                        ["start"] = expression.Span.Start,
                        ["end"] = expression.Span.End,
                        ["line"] = expression.Line,
                        ["column"] = expression.Column,
                    };
                }

                return Problems.BadRequest(message, extensions);
        }
    }
}
