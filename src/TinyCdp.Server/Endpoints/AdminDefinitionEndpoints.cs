namespace TinyCdp.Server.Endpoints;

/// <summary>Routes of the AdminDefinition group (HTTP-API.md).</summary>
internal static class AdminDefinitionEndpoints
{
    public static IEndpointRouteBuilder MapAdminDefinitionEndpoints(this IEndpointRouteBuilder routes) => routes;
}
