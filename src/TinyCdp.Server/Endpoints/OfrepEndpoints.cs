using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Server.Auth;
using TinyCdp.Server.Endpoints.Decide;
using TinyCdp.Server.Hosting;

namespace TinyCdp.Server.Endpoints;

/// <summary>
/// The OpenFeature Remote Evaluation Protocol (OFREP v1): single and bulk evaluation (bulk with
/// <c>ETag</c>/<c>If-None-Match</c>) and the provider configuration. The request body is
/// <c>{context: {targetingKey, ...}}</c>; <c>targetingKey</c> names the person (as a user id, an
/// anonymous id or a profile id) and the other attributes are <c>context.*</c> for flag rules.
/// </summary>
internal static class OfrepEndpoints
{
    private const string ParseError = "PARSE_ERROR";
    private const string TargetingKeyMissing = "TARGETING_KEY_MISSING";
    private const string InvalidContext = "INVALID_CONTEXT";
    private const string FlagNotFound = "FLAG_NOT_FOUND";

    public static IEndpointRouteBuilder MapOfrepEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ofrep/v1")
            .RequireAuthorization(Tiers.Read)
            .RequireCors(Cors.ClientPolicy)
            .WithTags("OFREP");
        group.MapPost("/evaluate/flags/{key}", EvaluateAsync).WithName("OfrepEvaluateFlag");
        group.MapPost("/evaluate/flags", EvaluateAllAsync).WithName("OfrepEvaluateFlags");
        group.MapGet("/configuration", Configuration).WithName("OfrepConfiguration");
        return routes;
    }

    private static async Task<IResult> EvaluateAsync(string key, HttpRequest request, ITinyCdp cdp, CancellationToken cancellationToken)
    {
        var parsed = await ReadRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (parsed.ErrorCode is not null)
        {
            return Error(StatusCodes.Status400BadRequest, key, parsed.ErrorCode, parsed.ErrorDetails!);
        }

        var decision = await cdp.DecideAsync(key, parsed.Person, parsed.Context, cancellationToken).ConfigureAwait(false);
        if (decision is null)
        {
            return Error(StatusCodes.Status404NotFound, key, FlagNotFound, $"Flag '{key}' not found");
        }

        return new JsonWriterResult(StatusCodes.Status200OK, writer => WriteSuccess(writer, decision));
    }

    /// <summary>The bulk evaluation (internal for its benchmark, which calls it without routing or authentication).</summary>
    internal static async Task<IResult> EvaluateAllAsync(HttpRequest request, ITinyCdp cdp, CancellationToken cancellationToken)
    {
        var parsed = await ReadRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (parsed.ErrorCode is not null)
        {
            return Error(StatusCodes.Status400BadRequest, null, parsed.ErrorCode, parsed.ErrorDetails!);
        }

        var decisions = (await cdp.DecideAllAsync(parsed.Person, null, parsed.Context, cancellationToken).ConfigureAwait(false))
            .Values.OrderBy(d => d.Flag, StringComparer.Ordinal).ToArray();
        var etag = ETag(cdp.Definitions.Catalog.Version, decisions);
        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            request.HttpContext.Response.Headers.ETag = etag;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return new JsonWriterResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("flags");
            foreach (var decision in decisions)
            {
                WriteSuccess(writer, decision);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }, etag);
    }

    private static IResult Configuration() => new JsonWriterResult(StatusCodes.Status200OK, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", "TinyCdp");
        writer.WriteStartObject("capabilities");
        writer.WriteStartObject("cacheInvalidation");
        writer.WriteStartObject("polling");
        writer.WriteBoolean("enabled", true);
        writer.WriteNumber("minPollingIntervalMs", 1000);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("flagEvaluation");
        writer.WriteStartArray("supportedTypes");
        foreach (var type in (string[])["boolean", "string", "integer", "float", "object"])
        {
            writer.WriteStringValue(type);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static void WriteSuccess(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteStartObject();
        writer.WriteString("key", decision.Flag);
        writer.WritePropertyName("value");
        decision.Value.WriteTo(writer);
        writer.WriteString("reason", decision.ReasonText);
        writer.WriteString("variant", decision.Variant);
        writer.WriteStartObject("metadata");
        writer.WriteNumber("catalogVersion", decision.CatalogVersion);
        if (decision.RuleIndex is { } ruleIndex)
        {
            writer.WriteNumber("ruleIndex", ruleIndex);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static JsonWriterResult Error(int status, string? key, string code, string details) => new(status, writer =>
    {
        writer.WriteStartObject();
        if (key is not null)
        {
            writer.WriteString("key", key);
        }

        writer.WriteString("errorCode", code);
        writer.WriteString("errorDetails", details);
        writer.WriteEndObject();
    });

    /// <summary>A strong ETag over the catalog version and every decision's flag, variant and value.</summary>
    internal static string ETag(long catalogVersion, IEnumerable<Decision> decisions)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(catalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var decision in decisions)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{decision.Flag}\u0000{decision.Variant}\u0000{decision.ReasonText}\u0000{decision.Value.ToJson()}"));
        }

        return $"\"{Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16))}\"";
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var header in ifNoneMatch)
        {
            foreach (var candidate in (header ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (tag == "*" || tag == etag || $"\"{tag}\"" == etag)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private readonly record struct OfrepRequest(ProfileReference Person, Dictionary<string, Value>? Context, string? ErrorCode, string? ErrorDetails)
    {
        public static OfrepRequest Fail(string code, string details) => new(default, null, code, details);
    }

    private static async Task<OfrepRequest> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return OfrepRequest.Fail(ParseError, "the request body is not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return OfrepRequest.Fail(ParseError, "the request body must be a JSON object");
            }

            if (!root.TryGetProperty("context", out var context) || context.ValueKind == JsonValueKind.Null)
            {
                return OfrepRequest.Fail(TargetingKeyMissing, "context.targetingKey is required");
            }

            if (context.ValueKind != JsonValueKind.Object)
            {
                return OfrepRequest.Fail(InvalidContext, "context must be a JSON object");
            }

            string? targetingKey = null;
            Dictionary<string, Value>? attributes = null;
            foreach (var property in context.EnumerateObject())
            {
                if (property.NameEquals("targetingKey"))
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        targetingKey = property.Value.GetString();
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        return OfrepRequest.Fail(InvalidContext, "context.targetingKey must be a string");
                    }

                    continue;
                }

                attributes ??= new Dictionary<string, Value>(StringComparer.Ordinal);
                attributes[property.Name] = Value.FromJson(property.Value);
            }

            if (string.IsNullOrWhiteSpace(targetingKey))
            {
                return OfrepRequest.Fail(TargetingKeyMissing, "context.targetingKey is required");
            }

            return new OfrepRequest(ProfileReference.Any(targetingKey), attributes, null, null);
        }
    }
}
