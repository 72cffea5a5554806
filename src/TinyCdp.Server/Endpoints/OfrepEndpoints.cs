namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the Ofrep group (HTTP-API.md).</summary>
internal static class OfrepEndpoints
{
    public static IEndpointRouteBuilder MapOfrepEndpoints(this IEndpointRouteBuilder routes) => routes;
}
