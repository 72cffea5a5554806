namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the Export group (HTTP-API.md).</summary>
internal static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder routes) => routes;
}
