using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.DependencyInjection;
using TinyCdp.Engine;
using TinyCdp.Storage;

namespace TinyCdp.Testing.Hosting;

/// <summary>An engine on a store, with a fake clock, built through AddTinyCdp.</summary>
public sealed class EngineFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    public EngineFixture(ICdpStore? store = null, Action<TinyCdpOptions>? configure = null, bool timer = true, Func<FakeTimeProvider, TimeProvider>? wrapClock = null)
    {
        Store = store ?? new InMemoryCdpStore();
        Clock = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton(wrapClock?.Invoke(Clock) ?? Clock);
        services.AddTinyCdp(b => b.UseStore(_ => Store).Configure(o =>
        {
            o.MembershipTimer = timer;
            configure?.Invoke(o);
        }));
        _services = services.BuildServiceProvider();
        Cdp = _services.GetRequiredService<ITinyCdp>();
    }

    public ICdpStore Store { get; }

    public FakeTimeProvider Clock { get; }

    public ITinyCdp Cdp { get; }

    /// <summary>The fixture's services (the API key service, for one).</summary>
    public IServiceProvider Services => _services;

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
