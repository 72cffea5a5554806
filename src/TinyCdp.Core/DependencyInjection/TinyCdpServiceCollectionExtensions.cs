using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Engine;

namespace TinyCdp.DependencyInjection;

/// <summary>Registers TinyCdp in a service collection.</summary>
public static class TinyCdpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the TinyCdp engine as <see cref="ITinyCdp"/> (and <see cref="IDefinitionsService"/>), with
    /// the store and options chosen in <paramref name="configure"/>. Time comes from the
    /// <see cref="TimeProvider"/> registered in the container, or the system clock. The engine starts
    /// with the host (or on first use) and stops when the container is disposed.
    /// </summary>
    public static IServiceCollection AddTinyCdp(this IServiceCollection services, Action<TinyCdpBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new TinyCdpBuilder(services);
        configure(builder);
        var storeFactory = builder.StoreFactory
            ?? throw new InvalidOperationException("TinyCdp needs a store: call UseSqlite(...), UsePostgres(...) or UseInMemoryStore() in AddTinyCdp.");
        var options = new TinyCdpOptions();
        foreach (var action in builder.OptionActions)
        {
            action(options);
        }

        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, "Invalid TinyCdp options: " + string.Join(" ", problems));
        }

        services.AddSingleton(options);
        // The engine owns the store (and disposes it); the store is not a service of its own.
        services.AddSingleton(sp => new CdpEngine(
            storeFactory(sp),
            options,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<CdpEngine>>()));
        services.AddSingleton<ITinyCdp>(sp => sp.GetRequiredService<CdpEngine>());
        services.AddSingleton<IDefinitionsService>(sp => sp.GetRequiredService<CdpEngine>());
        services.AddSingleton(sp => new ReadinessProbe(sp.GetRequiredService<CdpEngine>()));
        services.AddSingleton<Keys.IApiKeyService>(sp => new Keys.ApiKeyService(sp.GetRequiredService<CdpEngine>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddHostedService(sp => new TinyCdpHostedService(sp.GetRequiredService<CdpEngine>()));
        return services;
    }

    private sealed class TinyCdpHostedService(CdpEngine engine) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => engine.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => engine.DisposeAsync().AsTask();
    }
}
