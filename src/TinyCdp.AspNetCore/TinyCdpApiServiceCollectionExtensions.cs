using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore;

/// <summary>Registers the services of the TinyCdp HTTP API.</summary>
public static class TinyCdpApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the routes of <see cref="TinyCdpApiEndpointRouteBuilderExtensions.MapTinyCdpApi"/> need:
    /// problem details, API-key authentication (the default scheme) with one authorization policy per
    /// key tier, the CORS policy of the client routes, the OpenAPI document <c>v1</c>, and a global rate
    /// limiter per key. The engine itself comes from <c>AddTinyCdp(...)</c>, which must also be called.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes the API's settings; the defaults are those of the server.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddTinyCdpApi(this IServiceCollection services, Action<TinyCdpApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new TinyCdpApiOptions();
        configure?.Invoke(options);

        services.AddProblemDetails();
        services.AddSingleton<ApiKeyPrincipal.Cache>();
        // ASP.NET Core's authentication with one scheme, the API key; its handler implements
        // IAuthenticationHandler directly (see ApiKeyAuthenticationHandler), created per request from here.
        services.AddAuthentication(authentication =>
        {
            authentication.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            authentication.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null);
        });
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Tiers.Read, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Read)))
            .AddPolicy(Tiers.Write, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Write)))
            .AddPolicy(Tiers.Admin, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Admin)));
        services.AddSingleton<IAuthorizationHandler, TierRequirementHandler>();
        // The framework's policy evaluator and authorization service keep no state of their own (their
        // dependencies are singletons or stateless), but are registered transient: the authorization
        // middleware resolved both, with their transient dependencies (handler provider and handler
        // list, evaluator, context factory), for every authorized request. One instance of each serves.
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationService, DefaultAuthorizationService>());
        services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, PolicyEvaluator>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddCors(cors => cors.AddPolicy(Cors.ClientPolicy, policy =>
        {
            if (options.CorsOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. options.CorsOrigins]);
            }

            policy.WithHeaders("Authorization", "Content-Type", "X-API-Key", "If-None-Match").WithMethods("GET", "POST", "OPTIONS").WithExposedHeaders("ETag");
        }));
        // The default document, "v1" (TinyCdpApiEndpointRouteBuilderExtensions.OpenApiDocumentName). Called
        // without arguments so that the OpenAPI package's generator, which only intercepts calls it can
        // read, adds the XML-comment transformers.
        services.AddOpenApi();
        services.AddRateLimiter(limiter =>
        {
            // Per key (per client address for requests without one), in fixed one-minute windows. The
            // options and their factory are built once: the partition function runs on every request.
            var window = new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.RateLimitPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            };
            Func<string, FixedWindowRateLimiterOptions> windowFor = _ => window;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(
                    Tiers.KeyIdOf(context.User) ?? "address:" + context.Connection.RemoteIpAddress,
                    windowFor));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Result(StatusCodes.Status429TooManyRequests, "resource_exhausted", "rate limit exceeded; retry later")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
