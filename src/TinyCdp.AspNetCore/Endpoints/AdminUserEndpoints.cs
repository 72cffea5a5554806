using System.Text.Json;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;
using TinyCdp.Evaluation;
using TinyCdp.Identity;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// Routes of the AdminUser group (HTTP-API.md "Admin"): search, detail, explain, delete. Search
/// matches user ids and anonymous ids by prefix, an email by its hash, a profile id exactly.
/// </summary>
internal static class AdminUserEndpoints
{
    public static IEndpointRouteBuilder MapAdminUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/users").RequireAuthorization(Tiers.Admin).WithTags("admin");
        group.MapGet("/search", SearchAsync);
        group.MapGet("/{id}", DetailAsync);
        group.MapGet("/{id}/explain", ExplainAsync);
        group.MapDelete("/{id}", async (string id, HttpRequest request, ITinyCdp cdp) =>
        {
            if (!AdminHttp.TryParseBool(request.Query["suppress"], "suppress", out var suppress, out var error))
            {
                return error!;
            }

            return await cdp.DeleteProfileAsync(ProfileReference.Any(id), suppress, request.HttpContext.RequestAborted)
                ? Results.NoContent()
                : UserNotFound(id);
        });
        return routes;
    }

    private static IResult UserNotFound(string id) => Problems.NotFound($"User '{id}' not found");

    private static async Task<IResult> SearchAsync(HttpRequest request, ITinyCdp cdp)
    {
        if (!AdminHttp.TryParseInteger(request.Query["limit"], "limit", 50, 1, 1000, out var limit, out var error)
            || !AdminHttp.TryParseInteger(request.Query["offset"], "offset", 0, 0, int.MaxValue, out var offset, out error))
        {
            return error!;
        }

        var query = request.Query["query"].ToString().Trim();
        var found = await cdp.SearchProfilesAsync(query, (int)limit, (int)Math.Min(offset, int.MaxValue), request.HttpContext.RequestAborted);

        return AdminHttp.Json(writer =>
        {
            writer.WriteStartArray("users");
            foreach (var view in found)
            {
                writer.WriteStartObject();
                WriteSummary(writer, view);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("total", found.Count);
            writer.WriteNumber("limit", limit);
            writer.WriteNumber("offset", offset);
        });
    }

    private static async Task<IResult> DetailAsync(string id, HttpRequest request, ITinyCdp cdp)
    {
        if (!AdminHttp.TryParseInstant(request.Query["asOf"], "asOf", out var asOf, out var error))
        {
            return error!;
        }

        var view = await cdp.GetProfileAsync(ProfileReference.Any(id), asOf, request.HttpContext.RequestAborted);
        if (view is null)
        {
            return UserNotFound(id);
        }

        return AdminHttp.Json(writer =>
        {
            writer.WriteStartObject("user");
            WriteSummary(writer, view);
            writer.WriteStartArray("recentEvents");
            foreach (var stored in view.RecentEvents)
            {
                writer.WriteStartObject();
                writer.WriteString("id", stored.MessageId);
                writer.WriteString("ts", AdminHttp.Iso(stored.Timestamp));
                writer.WriteString("name", stored.Name);
                writer.WriteString("type", stored.Kind.ToString().ToLowerInvariant());
                AdminHttp.WriteRawObject(writer, "props", stored.PropertiesJson);
                if (stored.TraitsJson is not null)
                {
                    AdminHttp.WriteRawObject(writer, "traits", stored.TraitsJson);
                }

                writer.WriteString("receivedAt", AdminHttp.Iso(stored.ReceivedAt));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("traits");
            foreach (var (key, value) in view.Traits)
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                writer.WritePropertyName("value");
                value.WriteTo(writer);
                writer.WriteString("updated_at", AdminHttp.Iso(view.AsOf));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("segments");
            foreach (var segment in view.Segments)
            {
                writer.WriteStartObject();
                writer.WriteString("key", segment.Segment);
                writer.WriteBoolean("inSegment", segment.InSegment);
                AdminHttp.WriteInstant(writer, "since", segment.Since);
                AdminHttp.WriteInstant(writer, "updated_at", segment.UpdatedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("eventCounts");
            writer.WriteNumber("total", view.EventCounts.Total);
            writer.WriteNumber("last_24h", view.EventCounts.Last24Hours);
            writer.WriteNumber("last_7d", view.EventCounts.Last7Days);
            writer.WriteNumber("last_30d", view.EventCounts.Last30Days);
            writer.WriteEndObject();
            writer.WriteStartArray("merges");
            foreach (var merge in view.Merges)
            {
                writer.WriteStartObject();
                writer.WriteString("absorbed", merge.Absorbed.ToString());
                writer.WriteString("at", AdminHttp.Iso(merge.At));
                writer.WriteString("cause", "identity");
                writer.WriteString("messageId", merge.MessageId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteString("asOf", AdminHttp.Iso(view.AsOf));
        });
    }

    private static void WriteSummary(Utf8JsonWriter writer, ProfileView view)
    {
        writer.WriteString("id", view.Id.ToString());
        writer.WriteString("profileId", view.Id.ToString());
        writer.WriteString("userId", view.Identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value);
        writer.WriteString("created_at", AdminHttp.Iso(view.CreatedAt));
        writer.WriteStartArray("aliases");
        foreach (var identifier in view.Identifiers)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", identifier.Kind switch
            {
                IdentifierKind.UserId => "userId",
                IdentifierKind.AnonymousId => "anonymousId",
                _ => "emailHash",
            });
            writer.WriteString("value", identifier.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WritePropertyName("profile");
        if (view.Properties.IsNull)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            view.Properties.WriteTo(writer);
        }
    }

    private static async Task<IResult> ExplainAsync(string id, HttpRequest request, ITinyCdp cdp)
    {
        if (!AdminHttp.TryParseInstant(request.Query["asOf"], "asOf", out var asOf, out var error))
        {
            return error!;
        }

        var asked = new List<(DefinitionReferenceKind Kind, string Name, string Title, string Key)>();
        foreach (var (kind, name, title) in new[] { (DefinitionReferenceKind.Flag, "flag", "Flag"), (DefinitionReferenceKind.Segment, "segment", "Segment"), (DefinitionReferenceKind.Trait, "trait", "Trait") })
        {
            var value = request.Query[name].ToString();
            if (value.Length > 0)
            {
                asked.Add((kind, name, title, value));
            }
        }

        if (asked.Count != 1)
        {
            return AdminHttp.FieldError("flag", "give exactly one of flag, segment or trait");
        }

        var (askedKind, askedName, askedTitle, key) = asked[0];
        var ct = request.HttpContext.RequestAborted;
        var user = ProfileReference.Any(id);
        if (await cdp.GetProfileAsync(user, asOf, ct) is null)
        {
            return UserNotFound(id);
        }

        var explanation = await cdp.ExplainAsync(askedKind, key, user, asOf, ct);
        if (explanation is null)
        {
            return Problems.NotFound($"{askedTitle} '{key}' not found");
        }

        return AdminHttp.Json(writer =>
        {
            writer.WriteString("kind", askedName);
            writer.WriteString("key", key);
            writer.WriteString("user", id);
            ExplanationJson.WriteMembers(writer, explanation);
        });
    }
}
