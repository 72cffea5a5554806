using System.Text;
using TinyCdp.Definitions;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>Routes of the Export group (HTTP-API.md "Exports"): a segment's members as CSV, and the seed's export descriptor.</summary>
internal static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/export/segment").RequireAuthorization(Tiers.Admin).WithTags("export");
        group.MapGet("/{key}.csv", CsvAsync);
        group.MapGet("/{key}", async (string key, HttpRequest request, ITinyCdp cdp, IDefinitionsService definitions) =>
        {
            if (definitions.Catalog.FindSegment(key) is null)
            {
                return Problems.NotFound($"Segment '{key}' not found");
            }

            var userCount = await SegmentMembers.CountAsync(cdp, key, request.HttpContext.RequestAborted);
            var path = $"/v1/export/segment/{Uri.EscapeDataString(key)}.csv";
            return AdminHttp.Json(writer =>
            {
                writer.WriteString("downloadUrl", $"{request.Scheme}://{request.Host}{request.PathBase}{path}");
                writer.WriteString("filename", FileName(key));
                writer.WriteNumber("userCount", userCount);
            });
        });
        return routes;
    }

    private static string FileName(string key) => $"segment-{key}.csv";

    private static async Task CsvAsync(string key, HttpContext context, ITinyCdp cdp, IDefinitionsService definitions)
    {
        if (definitions.Catalog.FindSegment(key) is null)
        {
            await Problems.NotFound($"Segment '{key}' not found").ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(key)}\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 16 * 1024);
        await writer.WriteAsync(Csv.Row("profile_id", "user_id", "since"));
        await foreach (var member in SegmentMembers.StreamAsync(cdp, key, context.RequestAborted))
        {
            await writer.WriteAsync(Csv.Row(member.ProfileId.ToString(), member.UserId, AdminHttp.Iso(member.Since)));
        }

        await writer.FlushAsync(context.RequestAborted);
    }
}
