namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the Decide group (HTTP-API.md).</summary>
internal static class DecideEndpoints
{
    public static IEndpointRouteBuilder MapDecideEndpoints(this IEndpointRouteBuilder routes) => routes;
}
