using TinyCdp.Definitions;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>Routes of the AdminMisc group (HTTP-API.md "Admin"): metrics and the membership change feed.</summary>
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
