using TinyCdp.AspNetCore;
using TinyCdp.DependencyInjection;

namespace TinyCdp.Server.Hosting;

/// <summary>
/// Registers and wires the server: its configuration, the engine on the configured store, Kestrel's
/// body limit and quiet logs, then the /v1 API of TinyCdp.AspNetCore.
/// </summary>
internal static class ServerSetup
{
    public static WebApplicationBuilder AddTinyCdpServer(this WebApplicationBuilder builder)
    {
        var configuration = ServerConfiguration.From(builder.Configuration);
        builder.Services.AddSingleton(configuration);
        builder.Services.AddTinyCdp(configuration.UseStore);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = TinyCdpApiOptions.MaxRequestBodyBytes);

        // Framework categories that write request URLs or open a scope with the request path (user ids,
        // emails, ?apiKey=) stay quiet for every provider, whatever the configuration says.
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<LoggerFilterOptions>, QuietLogCategories>();
        builder.Services.AddTinyCdpApi(api =>
        {
            api.CorsOrigins = configuration.CorsOrigins;
            api.RateLimitPerMinute = configuration.RateLimitPerMinute;
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
            if (context.Request.ContentLength is > TinyCdpApiOptions.MaxRequestBodyBytes)
            {
                context.Response.Headers.Connection = "close";
            }

            return next(context);
        });
        app.UseTinyCdpApi();
        app.MapTinyCdpApi();
        return app;
    }
}
