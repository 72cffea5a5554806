namespace TinyCdp.AspNetCore;

/// <summary>Adds the middleware the TinyCdp HTTP API needs to a request pipeline.</summary>
public static class TinyCdpApiApplicationBuilderExtensions
{
    /// <summary>
    /// Adds, in this order: an exception handler answering with problem details (a store that cannot
    /// be reached is 503 <c>unavailable</c>, anything else a bare 500; no exception text reaches the
    /// client), problem details for bare error statuses, CORS, authentication, the rate limiter and
    /// authorization. CORS runs before authentication so that a browser's preflight is answered
    /// without a key, and the rate limiter after it so that it counts per key. Call it before
    /// <see cref="TinyCdpApiEndpointRouteBuilderExtensions.MapTinyCdpApi"/>, after
    /// <see cref="TinyCdpApiServiceCollectionExtensions.AddTinyCdpApi"/>.
    /// </summary>
    /// <param name="app">The application's request pipeline.</param>
    /// <returns><paramref name="app"/>.</returns>
    /// <remarks>
    /// The exception handler, the status pages and the rate limiter apply to every request of the
    /// application, not only to the API's routes.
    /// </remarks>
    public static IApplicationBuilder UseTinyCdpApi(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = Problems.WriteUnhandledAsync });
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }
}
