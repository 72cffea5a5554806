using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.DependencyInjection;
using TinyCdp.Engine;
using TinyCdp.Storage;

namespace TinyCdp.Testing.Hosting;

/// <summary>
/// An engine built through <c>AddTinyCdp</c> (like <see cref="EngineFixture"/>) with a fake clock that
/// starts at a given instant, the membership timer off and a dedupe window longer than any scenario.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    public EngineHost(ICdpStore store, DateTimeOffset now, Action<TinyCdpOptions>? configure = null)
        : this(store, new FakeTimeProvider(now), configure)
    {
    }

    /// <summary>An engine on a clock shared with other hosts (several nodes on one store).</summary>
    public EngineHost(ICdpStore store, FakeTimeProvider clock, Action<TinyCdpOptions>? configure = null)
    {
        Clock = clock;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddTinyCdp(b => b.UseStore(_ => store).Configure(o =>
        {
            o.MembershipTimer = false;
            o.DedupeWindow = TimeSpan.FromDays(3650);
            configure?.Invoke(o);
        }));
        _services = services.BuildServiceProvider();
        Cdp = _services.GetRequiredService<ITinyCdp>();
    }

    public FakeTimeProvider Clock { get; }

    public ITinyCdp Cdp { get; }

    /// <summary>The host's services (the API key service, for one).</summary>
    public IServiceProvider Services => _services;

    /// <summary>Starts the engine now, as the host's start would (a server starts it with the host).</summary>
    public Task StartAsync() => ((CdpEngine)Cdp).StartAsync();

    /// <summary>On a shared store: drops what other nodes changed now, instead of waiting for the listener.</summary>
    public Task CatchUpAsync() => ((CdpEngine)Cdp).CatchUpAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
