using System.Text.Json;
using System.Text.RegularExpressions;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// What an answer to a fuzzed request must look like (docs/reliability.md "Fuzzing"):
/// <list type="bullet">
/// <item><description>never 5xx; a body over the limit is 413;</description></item>
/// <item><description>every 4xx is problem JSON (<c>application/problem+json</c> with <c>status</c>,
/// <c>code</c> and <c>message</c>), except OFREP evaluation errors, which have OFREP's shape;</description></item>
/// <item><description>a 400 (and a 413 that has them) carries <c>errors</c> with exactly one member, the
/// field's JSON path or the parameter's name, whose messages include <c>message</c>; that path names a
/// field the request changed, one inside it, the object holding it or a related field, or the whole
/// body (<c>body</c>; for ingest also <c>message</c>) when the body may be unreadable or too large;</description></item>
/// <item><description><c>message</c> contains the last part of that path (<c>when</c> for
/// <c>rules[0].when</c>), or, for an expression error (one with <c>span</c>), is the positioned
/// "Category error (line L, column C): detail";</description></item>
/// <item><description>404 says "… not found"; 409 is <c>already_exists</c> or <c>failed_precondition</c>;
/// 401 only when the key travels inside an unreadable body; nothing else.</description></item>
/// </list>
/// </summary>
internal static partial class ResponseRules
{
    /// <summary>Null when the answer is right; otherwise what is wrong with it.</summary>
    public static string? Check(RouteFamily family, FuzzRequest request, int status, string? mediaType, byte[] body)
    {
        if (status >= 500)
        {
            return $"answered {status}";
        }

        if (status == 400 && body.Length == 0 && request.PathAndQuery.Split('?')[0].Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel refuses a path that decodes to NUL while parsing the request line, before any
            // middleware runs, with an empty 400: nothing the server's code can shape.
            return null;
        }

        if (request.Expect.MustBeTooLarge && status != 413 && !(status == 401 && request.Expect.KeyMayBeUnreadable))
        {
            return $"a body over the limit was answered {status}, not 413";
        }

        if (status < 400)
        {
            return null;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return $"a {status} whose body is not JSON";
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"a {status} whose body is not a JSON object";
        }

        if (family == RouteFamily.Ofrep && status is 400 or 404 && mediaType == "application/json")
        {
            return CheckOfrep(request, status, root);
        }

        if (mediaType != "application/problem+json")
        {
            return $"a {status} answered as {mediaType ?? "(no content type)"}, not application/problem+json";
        }

        if (!root.TryGetProperty("status", out var statusMember) || statusMember.ValueKind != JsonValueKind.Number || statusMember.GetInt32() != status)
        {
            return $"a {status} problem without the same status";
        }

        var code = String(root, "code");
        var message = String(root, "message");
        if (code is null || message is null)
        {
            return $"a {status} problem without code and message";
        }

        switch (status)
        {
            case 400:
                return code == "invalid_argument" ? CheckNaming(family, request, status, root, message, required: true) : $"a 400 with code {code}";
            case 401:
                return request.Expect.KeyMayBeUnreadable && message == "Valid API key required"
                    ? null
                    : $"401 '{message}' although the admin key was sent where it can be read";
            case 404:
                return code == "not_found" && message.EndsWith("not found", StringComparison.Ordinal) ? null : $"a 404 '{message}' ({code})";
            case 409:
                return code is "already_exists" or "failed_precondition" ? null : $"a 409 with code {code}";
            case 413:
                return code == "resource_exhausted" && message.Contains("too large", StringComparison.Ordinal)
                    ? CheckNaming(family, request, status, root, message, required: false)
                    : $"a 413 '{message}' ({code})";
            default:
                return $"unexpected {status} '{message}'";
        }
    }

    private static string? CheckNaming(RouteFamily family, FuzzRequest request, int status, JsonElement problem, string message, bool required)
    {
        if (!problem.TryGetProperty("errors", out var errors))
        {
            return required ? $"a {status} '{message}' without errors naming the field" : null;
        }

        var members = errors.ValueKind == JsonValueKind.Object ? errors.EnumerateObject().ToList() : [];
        if (members.Count != 1)
        {
            return $"a {status} whose errors do not name exactly one field: {errors}";
        }

        var field = members[0].Name;
        var texts = members[0].Value;
        if (texts.ValueKind != JsonValueKind.Array || !texts.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == message))
        {
            return $"errors.{field} does not hold the message '{message}'";
        }

        if (String(problem, "field") is { } named && named != field)
        {
            return $"field '{named}' differs from errors' '{field}'";
        }

        if (!Names(family, request, status, field))
        {
            return $"a {status} '{message}' names '{field}', which this request did not change";
        }

        if (problem.TryGetProperty("span", out _))
        {
            return ExpressionError().IsMatch(message) ? null : $"an expression error without its position: '{message}'";
        }

        // Messages written by the HTTP layer and the ingest reader name the field themselves; a
        // definition's checks name it in the field member (problem.field) and errors.
        if (problem.TryGetProperty("field", out _))
        {
            return null;
        }

        var last = LastPart(field);
        return message.Contains(last, StringComparison.Ordinal) ? null : $"message '{message}' does not name '{last}'";
    }

    private static string? CheckOfrep(FuzzRequest request, int status, JsonElement root)
    {
        var code = String(root, "errorCode");
        var details = String(root, "errorDetails");
        if (code is null || details is null)
        {
            return $"an OFREP {status} without errorCode and errorDetails";
        }

        if (status == 404)
        {
            return code == "FLAG_NOT_FOUND" && details.EndsWith("not found", StringComparison.Ordinal) ? null : $"an OFREP 404 {code} '{details}'";
        }

        switch (code)
        {
            case "PARSE_ERROR":
                return request.Expect.WholeBody && details.Contains("body", StringComparison.Ordinal)
                    ? null
                    : $"PARSE_ERROR '{details}' for a body that is readable";
            case "TARGETING_KEY_MISSING" or "INVALID_CONTEXT":
                return details.StartsWith("context", StringComparison.Ordinal) && request.Expect.Fields.Any(f => f == "context" || f.StartsWith("context.", StringComparison.Ordinal))
                    ? null
                    : $"{code} '{details}' although the context was not changed";
            default:
                return $"an OFREP 400 with error code {code}";
        }
    }

    /// <summary>Whether an error naming <paramref name="field"/> is about what the request changed.</summary>
    private static bool Names(RouteFamily family, FuzzRequest request, int status, string field)
    {
        if (field == "body" || (family == RouteFamily.Ingest && field == "message"))
        {
            return request.Expect.WholeBody || status == 413;
        }

        foreach (var changed in request.Expect.Fields)
        {
            if (field == changed || Inside(field, changed) || Inside(changed, field))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Inside(string inner, string outer) =>
        inner.Length > outer.Length && inner.StartsWith(outer, StringComparison.Ordinal) && inner[outer.Length] is '.' or '[';

    private static string LastPart(string field)
    {
        var dot = field.LastIndexOf('.');
        return dot < 0 ? field : field[(dot + 1)..];
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    [GeneratedRegex(@"^(Syntax|Name|Type|Reference|Window) error \(line \d+, column \d+\): .+", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ExpressionError();
}
