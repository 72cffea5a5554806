using TinyCdp.AspNetCore.Endpoints;

namespace TinyCdp.AspNetCore;

/// <summary>Maps the routes of the TinyCdp HTTP API.</summary>
public static class TinyCdpApiEndpointRouteBuilderExtensions
{
    /// <summary>The one OpenAPI document served, at <c>/openapi/v1.json</c>.</summary>
    internal const string OpenApiDocumentName = "v1";

    /// <summary>
    /// Maps every route of the API (the wire contract is HTTP-API.md): ingest (<c>/v1/track</c>,
    /// <c>/v1/batch</c> …), decide (<c>/v1/decide</c>), OFREP (<c>/ofrep/v1/…</c>), admin
    /// (<c>/v1/admin/…</c>), export (<c>/v1/export/…</c>), the health checks (<c>/health</c>,
    /// <c>/health/ready</c>) and the OpenAPI document (<c>/openapi/v1.json</c>). Every route but the
    /// health checks and the document needs an API key of the route's tier. Needs
    /// <see cref="TinyCdpApiServiceCollectionExtensions.AddTinyCdpApi"/> and <c>AddTinyCdp(...)</c>
    /// among the services, and <see cref="TinyCdpApiApplicationBuilderExtensions.UseTinyCdpApi"/> in the pipeline.
    /// </summary>
    /// <param name="endpoints">Where to map the routes (the application itself, usually).</param>
    /// <returns><paramref name="endpoints"/>.</returns>
    public static IEndpointRouteBuilder MapTinyCdpApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // The framework answers an unknown document name with a plain-text 404; every error here is a problem.
        endpoints.MapOpenApi().AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("documentName") as string == OpenApiDocumentName
                ? await next(context)
                : Problems.NotFound($"OpenAPI document '{context.HttpContext.GetRouteValue("documentName")}' not found"));

        // Every route group; each lives in Endpoints/.
        endpoints.MapHealthEndpoints();
        endpoints.MapIngestEndpoints();
        endpoints.MapDecideEndpoints();
        endpoints.MapOfrepEndpoints();
        endpoints.MapAdminDefinitionEndpoints();
        endpoints.MapAdminPreviewEndpoints();
        endpoints.MapAdminKeyEndpoints();
        endpoints.MapAdminUserEndpoints();
        endpoints.MapAdminMiscEndpoints();
        endpoints.MapExportEndpoints();
        return endpoints;
    }
}
