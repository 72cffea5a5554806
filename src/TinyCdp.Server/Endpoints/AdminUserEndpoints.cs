namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the AdminUser group (HTTP-API.md).</summary>
internal static class AdminUserEndpoints
{
    public static IEndpointRouteBuilder MapAdminUserEndpoints(this IEndpointRouteBuilder routes) => routes;
}
