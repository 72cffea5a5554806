namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the Ingest group (HTTP-API.md).</summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder routes) => routes;
}
