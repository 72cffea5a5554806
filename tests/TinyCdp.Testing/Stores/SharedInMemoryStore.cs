using TinyCdp.Storage;
using TinyCdp.Testing.Differential;

namespace TinyCdp.Testing.Stores;

/// <summary>An in-memory store that survives engine restarts (the engine's container disposes only a wrapper).</summary>
public sealed class SharedInMemoryStore : IDifferentialStore
{
    private readonly InMemoryCdpStore _store = new();

    public ICdpStore Open() => new NonDisposingStore(_store);

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
