using System.Security.Cryptography;
using System.Text.Json;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Decide;

namespace TinyCdp.AspNetCore.Endpoints;

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
    private const string GeneralError = "GENERAL";

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
        var parsed = await ReadRequestAsync(request).ConfigureAwait(false);
        if (parsed.IsTooLarge)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", parsed.ErrorDetails!);
        }

        if (parsed.ErrorCode is not null)
        {
            return Error(StatusCodes.Status400BadRequest, key, parsed.ErrorCode, parsed.ErrorDetails!);
        }

        var catalog = cdp.Definitions.Catalog;
        OfrepDecision answer;
        if (cdp.TryDecide(key, parsed.Person, parsed.Context, out var quick) && cdp.Definitions.Catalog.Version == catalog.Version)
        {
            answer = OfrepDecision.From(key, quick, catalog.Version);
        }
        else if (await cdp.DecideAsync(key, parsed.Person, parsed.Context, cancellationToken).ConfigureAwait(false) is { } decision)
        {
            answer = OfrepDecision.From(decision);
        }
        else
        {
            return Error(StatusCodes.Status404NotFound, key, FlagNotFound, $"Flag '{key}' not found");
        }

        return new JsonWriterResult(StatusCodes.Status200OK, writer => WriteSuccess(writer, answer));
    }

    /// <summary>The bulk evaluation (internal for its benchmark, which calls it without routing or authentication).</summary>
    internal static async Task<IResult> EvaluateAllAsync(HttpRequest request, ITinyCdp cdp, CancellationToken cancellationToken)
    {
        var parsed = await ReadRequestAsync(request).ConfigureAwait(false);
        if (parsed.IsTooLarge)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", parsed.ErrorDetails!);
        }

        if (parsed.ErrorCode is not null)
        {
            return Error(StatusCodes.Status400BadRequest, null, parsed.ErrorCode, parsed.ErrorDetails!);
        }

        var decisions = TryDecideAll(cdp, parsed.Person, parsed.Context)
            ?? [.. (await cdp.DecideAllAsync(parsed.Person, null, parsed.Context, cancellationToken).ConfigureAwait(false)).Values.Select(OfrepDecision.From)];
        Array.Sort(decisions, (a, b) => string.CompareOrdinal(a.Flag, b.Flag));
        var body = JsonWriterResult.Render(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("flags");
            foreach (var decision in decisions)
            {
                WriteSuccess(writer, decision);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

        // A strong ETag: the hash of the answer itself (every decision's flag, variant, value, reason, rule and catalog version).
        var etag = ETag(body);
        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            request.HttpContext.Response.Headers.ETag = etag;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return new JsonBytesResult(StatusCodes.Status200OK, body, etag);
    }

    /// <summary>
    /// Every flag from the published snapshot of a profile in memory, without the reasons and validity
    /// OFREP does not answer (<see cref="ITinyCdp.TryDecide"/>); null when the profile is not hot or the
    /// catalog changed meanwhile (then the engine's full decide answers, from one catalog).
    /// </summary>
    private static OfrepDecision[]? TryDecideAll(ITinyCdp cdp, ProfileReference person, IReadOnlyDictionary<string, Value>? context)
    {
        var catalog = cdp.Definitions.Catalog;
        var flags = catalog.Flags;
        var decisions = new OfrepDecision[flags.Count];
        for (var i = 0; i < decisions.Length; i++)
        {
            if (!cdp.TryDecide(flags[i].Key, person, context, out var quick))
            {
                return null;
            }

            decisions[i] = OfrepDecision.From(flags[i].Key, quick, catalog.Version);
        }

        return cdp.Definitions.Catalog.Version == catalog.Version ? decisions : null;
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

    private static void WriteSuccess(Utf8JsonWriter writer, OfrepDecision decision)
    {
        writer.WriteStartObject();
        writer.WriteString("key", decision.Flag);
        writer.WritePropertyName("value");
        decision.Value.WriteTo(writer);
        writer.WriteString("reason", decision.Reason);
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

    /// <summary>A strong ETag: the first 128 bits of the SHA-256 of the answer's bytes, in hex.</summary>
    internal static string ETag(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return $"\"{Convert.ToHexStringLower(hash[..16])}\"";
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

    /// <summary>What an OFREP answer says about one flag.</summary>
    private readonly record struct OfrepDecision(string Flag, string Variant, Value Value, string Reason, int? RuleIndex, long CatalogVersion)
    {
        public static OfrepDecision From(Decision decision) =>
            new(decision.Flag, decision.Variant, decision.Value, decision.ReasonText, decision.RuleIndex, decision.CatalogVersion);

        public static OfrepDecision From(string flag, QuickDecision decision, long catalogVersion) =>
            new(flag, decision.Variant, decision.Value, ReasonText(decision.Reason), decision.RuleIndex >= 0 ? decision.RuleIndex : null, catalogVersion);

        /// <summary>As <see cref="Decision.ReasonText"/>.</summary>
        private static string ReasonText(DecisionReason reason) => reason switch
        {
            DecisionReason.TargetingMatch => "TARGETING_MATCH",
            DecisionReason.Split => "SPLIT",
            DecisionReason.Disabled => "DISABLED",
            _ => "DEFAULT",
        };
    }

    private readonly record struct OfrepRequest(ProfileReference Person, Dictionary<string, Value>? Context, string? ErrorCode, string? ErrorDetails, bool IsTooLarge = false)
    {
        public static OfrepRequest Fail(string code, string details) => new(default, null, code, details);

        /// <summary>A body over the size limit: 413 as problem details, like every route (OFREP defines no error for it).</summary>
        public static OfrepRequest TooLarge(string details) => new(default, null, GeneralError, details, IsTooLarge: true);
    }

    private static async Task<OfrepRequest> ReadRequestAsync(HttpRequest request)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(request, maxDepth: 64);
        if (error is not null)
        {
            return error.TooLarge ? OfrepRequest.TooLarge(error.Message) : OfrepRequest.Fail(ParseError, error.Message);
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!root.TryGetProperty("context", out var context) || context.ValueKind == JsonValueKind.Null)
            {
                return OfrepRequest.Fail(TargetingKeyMissing, "context.targetingKey is required");
            }

            if (context.ValueKind != JsonValueKind.Object)
            {
                return OfrepRequest.Fail(InvalidContext, "context must be a JSON object");
            }

            if (JsonBody.FindInvalidText(context, "context") is { } invalid)
            {
                return OfrepRequest.Fail(InvalidContext, invalid.Message);
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
