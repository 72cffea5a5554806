namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the AdminMisc group (HTTP-API.md).</summary>
internal static class AdminMiscEndpoints
{
    public static IEndpointRouteBuilder MapAdminMiscEndpoints(this IEndpointRouteBuilder routes) => routes;
}
