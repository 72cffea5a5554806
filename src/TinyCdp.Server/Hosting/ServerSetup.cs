using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TinyCdp.DependencyInjection;
using TinyCdp.Server.Auth;
using TinyCdp.Server.Endpoints;
using TinyCdp.Storage;
using TinyCdp.Storage.Sqlite;

namespace TinyCdp.Server.Hosting;

/// <summary>Registers and wires the server: engine and store, API keys, errors, limits, the /v1 API.</summary>
internal static class ServerSetup
{
    /// <summary>The largest request body accepted (a Segment batch is at most 500 KB; some slack for JSON framing).</summary>
    public const long MaxRequestBodyBytes = 600 * 1024;

    /// <summary>The one OpenAPI document served, at <c>/openapi/v1.json</c>.</summary>
    public const string OpenApiDocumentName = "v1";

    public static WebApplicationBuilder AddTinyCdpServer(this WebApplicationBuilder builder)
    {
        var configuration = ServerConfiguration.From(builder.Configuration);
        builder.Services.AddSingleton(configuration);
        builder.Services.AddTinyCdp(configuration.UseStore);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        // Framework categories that write request URLs or open a scope with the request path (user ids,
        // emails, ?apiKey=) stay quiet for every provider, whatever the configuration says.
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<LoggerFilterOptions>, QuietLogCategories>();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ApiKeyPrincipal.Cache>();
        // ASP.NET Core's authentication with one scheme, the API key; its handler implements
        // IAuthenticationHandler directly (see ApiKeyAuthenticationHandler), created per request from here.
        builder.Services.AddAuthentication(authentication =>
        {
            authentication.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            authentication.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null);
        });
        builder.Services.AddTransient<ApiKeyAuthenticationHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Tiers.Read, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Read)))
            .AddPolicy(Tiers.Write, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Write)))
            .AddPolicy(Tiers.Admin, p => p.AddRequirements(new TierRequirement(ApiKeyKind.Admin)));
        builder.Services.AddSingleton<IAuthorizationHandler, TierRequirementHandler>();
        // The framework's policy evaluator and authorization service keep no state of their own (their
        // dependencies are singletons or stateless), but are registered transient: the authorization
        // middleware resolved both, with their transient dependencies (handler provider and handler
        // list, evaluator, context factory), for every authorized request. One instance of each serves.
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationService, DefaultAuthorizationService>());
        builder.Services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator, Microsoft.AspNetCore.Authorization.Policy.PolicyEvaluator>());
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddCors(cors => cors.AddPolicy(Cors.ClientPolicy, policy =>
        {
            if (configuration.CorsOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(configuration.CorsOrigins);
            }

            policy.WithHeaders("Authorization", "Content-Type", "X-API-Key", "If-None-Match").WithMethods("GET", "POST", "OPTIONS").WithExposedHeaders("ETag");
        }));
        builder.Services.AddOpenApi();
        builder.Services.AddRateLimiter(limiter =>
        {
            // Per key (per client address for requests without one), in fixed one-minute windows. The
            // options and their factory are built once: the partition function runs on every request.
            var window = new System.Threading.RateLimiting.FixedWindowRateLimiterOptions
            {
                PermitLimit = configuration.RateLimitPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            };
            Func<string, System.Threading.RateLimiting.FixedWindowRateLimiterOptions> options = _ => window;
            limiter.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(context =>
                System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                    Tiers.KeyIdOf(context.User) ?? "address:" + context.Connection.RemoteIpAddress,
                    options));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.Result(StatusCodes.Status429TooManyRequests, "resource_exhausted", "rate limit exceeded; retry later")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return builder;
    }

    public static WebApplication UseTinyCdpServer(this WebApplication app)
    {
        // A body declared larger than the limit is refused without being read; Kestrel would then try to
        // drain it, give up at the limit and drop the connection after answering "keep-alive", and the
        // client's next request on that connection would fail. Announce the close instead.
        app.Use((context, next) =>
        {
            if (context.Request.ContentLength is > MaxRequestBodyBytes)
            {
                context.Response.Headers.Connection = "close";
            }

            return next(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = Problems.WriteUnhandledAsync });
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        // The framework answers an unknown document name with a plain-text 404; every error here is a problem.
        app.MapOpenApi().AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("documentName") as string == OpenApiDocumentName
                ? await next(context)
                : Problems.NotFound($"OpenAPI document '{context.HttpContext.GetRouteValue("documentName")}' not found"));
        app.MapTinyCdpApi();
        return app;
    }

    /// <summary>Every route group; each lives in Endpoints/.</summary>
    public static IEndpointRouteBuilder MapTinyCdpApi(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthEndpoints();
        routes.MapIngestEndpoints();
        routes.MapDecideEndpoints();
        routes.MapOfrepEndpoints();
        routes.MapAdminDefinitionEndpoints();
        routes.MapAdminKeyEndpoints();
        routes.MapAdminUserEndpoints();
        routes.MapAdminMiscEndpoints();
        routes.MapExportEndpoints();
        return routes;
    }
}

/// <summary>The CORS policy for the routes browsers call (ingest, decide, OFREP).</summary>
internal static class Cors
{
    public const string ClientPolicy = "clients";
}
