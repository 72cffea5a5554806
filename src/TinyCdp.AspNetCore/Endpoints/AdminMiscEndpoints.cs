using TinyCdp.Definitions;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>Routes of the AdminMisc group (HTTP-API.md "Admin"): metrics, segment sizes and the membership change feed.</summary>
internal static class AdminMiscEndpoints
{
    public static IEndpointRouteBuilder MapAdminMiscEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/admin/metrics", (IDefinitionsService definitions) =>
        {
            var catalog = definitions.Catalog;
            var backfill = definitions.Backfill;
            return AdminHttp.Json(writer =>
            {
                writer.WriteNumber("catalogVersion", catalog.Version);
                writer.WriteNumber("traits", catalog.Traits.Count);
                writer.WriteNumber("segments", catalog.Segments.Count);
                writer.WriteNumber("flags", catalog.Flags.Count);
                writer.WriteNumber("aggregates", catalog.Aggregates.Count);
                writer.WriteStartObject("backfill");
                writer.WriteString("state", backfill.State);
                writer.WriteNumber("done", backfill.Done);
                writer.WriteNumber("total", backfill.Total);
                writer.WriteNumber("catalogVersion", backfill.CatalogVersion);
                writer.WriteEndObject();
            });
        }).RequireAuthorization(Tiers.Admin).WithTags("admin");

        // A segment's size now and per hour, from the counts the store keeps as the change feed grows.
        routes.MapGet("/v1/admin/segments/{key}/size", async (string key, ITinyCdp cdp, IDefinitionsService definitions, CancellationToken ct) =>
        {
            if (!definitions.Catalog.Definitions.Segments.Any(s => s.Key == key))
            {
                return Problems.NotFound($"Segment '{key}' not found");
            }

            var sizes = await cdp.GetSegmentSizesAsync(ct);
            var history = await cdp.GetSegmentSizeHistoryAsync(key, ct);
            return AdminHttp.Json(writer =>
            {
                writer.WriteString("key", key);
                writer.WriteNumber("members", sizes.GetValueOrDefault(key));
                writer.WriteStartArray("history");
                foreach (var point in history)
                {
                    writer.WriteStartObject();
                    writer.WriteString("hour", AdminHttp.Iso(point.Hour));
                    writer.WriteNumber("members", point.Members);
                    writer.WriteNumber("entered", point.Entered);
                    writer.WriteNumber("exited", point.Exited);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        }).RequireAuthorization(Tiers.Admin).WithTags("admin");

        routes.MapGet("/v1/admin/changes", async (HttpRequest request, ITinyCdp cdp) =>
        {
            if (!AdminHttp.TryParseInteger(request.Query["after"], "after", 0, 0, long.MaxValue, out var after, out var error)
                || !AdminHttp.TryParseInteger(request.Query["limit"], "limit", 100, 1, 1000, out var limit, out error))
            {
                return error!;
            }

            var changes = await cdp.ReadChangesAsync(after, (int)limit, request.HttpContext.RequestAborted);
            var next = changes.Count > 0 ? changes[^1].Cursor : after;
            return AdminHttp.Json(writer =>
            {
                writer.WriteStartArray("changes");
                foreach (var change in changes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("cursor", change.Cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    writer.WriteString("profileId", change.ProfileId.ToString());
                    writer.WriteString("userId", change.UserId);
                    writer.WriteString("segment", change.Segment);
                    writer.WriteBoolean("entered", change.Entered);
                    writer.WriteString("at", AdminHttp.Iso(change.At));
                    writer.WriteString("cause", change.Cause.ToString().ToLowerInvariant());
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("next", next.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
        }).RequireAuthorization(Tiers.Admin).WithTags("admin");
        return routes;
    }
}
