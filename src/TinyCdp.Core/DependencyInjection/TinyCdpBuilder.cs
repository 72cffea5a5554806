using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Engine;
using TinyCdp.Storage;

namespace TinyCdp.DependencyInjection;

/// <summary>Configures TinyCdp inside <c>AddTinyCdp(b => ...)</c>: the store and the options.</summary>
public sealed class TinyCdpBuilder
{
    internal TinyCdpBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for store packages that register more services.</summary>
    public IServiceCollection Services { get; }

    internal List<Action<TinyCdpOptions>> OptionActions { get; } = [];

    internal Func<IServiceProvider, ICdpStore>? StoreFactory { get; private set; }

    /// <summary>Changes the engine options (validated when the engine starts).</summary>
    public TinyCdpBuilder Configure(Action<TinyCdpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        OptionActions.Add(configure);
        return this;
    }

    /// <summary>Uses a store built by <paramref name="factory"/> (store packages call this from <c>UseSqlite</c>, <c>UsePostgres</c>).</summary>
    public TinyCdpBuilder UseStore(Func<IServiceProvider, ICdpStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        StoreFactory = factory;
        return this;
    }

    /// <summary>Keeps everything in memory: for tests and throwaway use; nothing survives the process.</summary>
    public TinyCdpBuilder UseInMemoryStore() => UseStore(_ => new InMemoryCdpStore());
}
