
namespace TinyCdp.AspNetCore.Endpoints;

/// <summary><c>/health</c> (alive), <c>/health/ready</c> (store reachable) and the seed's per-service health paths.</summary>
internal static class HealthEndpoints
{
    private static readonly string[] SeedServices = ["ingest", "decide", "admin", "traits", "segments", "identity", "export"];

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous();
        routes.MapGet("/health/ready", async (Engine.ReadinessProbe probe, CancellationToken cancellationToken) =>
            await probe.IsReadyAsync(cancellationToken)
                ? Results.Ok(new { status = "ready" })
                : Problems.Result(StatusCodes.Status503ServiceUnavailable, "unavailable", "the store is unreachable")).AllowAnonymous();
        foreach (var service in SeedServices)
        {
            routes.MapGet($"/{service}/health", () => TypedResults.Ok(new { status = "ok", service })).AllowAnonymous();
        }

        return routes;
    }
}
