namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the AdminKey group (HTTP-API.md).</summary>
internal static class AdminKeyEndpoints
{
    public static IEndpointRouteBuilder MapAdminKeyEndpoints(this IEndpointRouteBuilder routes) => routes;
}
