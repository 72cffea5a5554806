using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Decide;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// The seed's decide route (HTTP-API.md "Decide"): <c>GET /v1/decide?userId=…&amp;flag=…</c> for one
/// flag, <c>&amp;flags=a,b</c> or <c>flags=*</c> for several. Every query parameter that does not
/// name the person, the flags or the key is a request context attribute (a string).
/// </summary>
internal static class DecideEndpoints
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "userId", "anonymousId", "deviceId", "profileId", "flag", "flags", "apiKey",
    };

    public static IEndpointRouteBuilder MapDecideEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/decide", DecideAsync)
            .RequireAuthorization(Tiers.Read)
            .RequireCors(Cors.ClientPolicy)
            .WithName("Decide")
            .WithTags("Decide");
        return routes;
    }

    private static async Task<IResult> DecideAsync(HttpRequest request, ITinyCdp cdp, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!TryReadPerson(query, out var person, out var personText, out var personError))
        {
            return personError!;
        }

        var context = ReadContext(query);
        var flag = NullIfEmpty(query["flag"].ToString());
        var flags = NullIfEmpty(query["flags"].ToString());
        if (flag is not null)
        {
            var decision = await cdp.DecideAsync(flag, person, context, cancellationToken).ConfigureAwait(false);
            if (decision is null)
            {
                return Problems.NotFound($"Flag '{flag}' not found");
            }

            return new JsonWriterResult(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartObject();
                DecisionJson.WriteMembers(writer, decision);
                writer.WriteString("userId", personText);
                writer.WriteString("flag", decision.Flag);
                writer.WriteEndObject();
            });
        }

        if (flags is null)
        {
            return Problems.FieldError("flag", "flag or flags is required");
        }

        IReadOnlyCollection<string>? keys = flags.Trim() == "*"
            ? null
            : flags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        var decisions = await cdp.DecideAllAsync(person, keys, context, cancellationToken).ConfigureAwait(false);
        return new JsonWriterResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("userId", personText);
            writer.WriteStartObject("decisions");
            foreach (var (key, decision) in decisions.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(key);
                DecisionJson.WriteMembers(writer, decision);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static bool TryReadPerson(IQueryCollection query, out ProfileReference person, out string text, out IResult? error)
    {
        error = null;
        if (NullIfEmpty(query["userId"].ToString()) is { } userId)
        {
            (person, text) = (ProfileReference.Any(userId), userId);
            return true;
        }

        if ((NullIfEmpty(query["anonymousId"].ToString()) ?? NullIfEmpty(query["deviceId"].ToString())) is { } anonymousId)
        {
            (person, text) = (ProfileReference.ByAnonymousId(anonymousId), anonymousId);
            return true;
        }

        if (NullIfEmpty(query["profileId"].ToString()) is { } profileText)
        {
            text = profileText;
            if (Guid.TryParse(profileText, out var profileId))
            {
                person = ProfileReference.ByProfileId(profileId);
                return true;
            }

            person = default;
            error = Problems.FieldError("profileId", "profileId must be a UUID");
            return false;
        }

        (person, text) = (default, "");
        error = Problems.FieldError("userId", "userId is required (or anonymousId, deviceId, profileId)");
        return false;
    }

    private static Dictionary<string, Value>? ReadContext(IQueryCollection query)
    {
        Dictionary<string, Value>? context = null;
        foreach (var (name, values) in query)
        {
            if (Reserved.Contains(name))
            {
                continue;
            }

            context ??= new Dictionary<string, Value>(StringComparer.Ordinal);
            context[name] = values.Count == 1
                ? Value.String(values[0] ?? "")
                : Value.List(values.Select(v => Value.String(v ?? "")));
        }

        return context;
    }

    private static string? NullIfEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
