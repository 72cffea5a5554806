using TinyCdp.Storage;

namespace TinyCdp.Testing.Differential;

/// <summary>Where a differential run keeps its data; <see cref="Open"/> is called at start and at every restart.</summary>
public interface IDifferentialStore : IAsyncDisposable
{
    /// <summary>A store over the same data as every earlier one (the engine disposes it when it stops).</summary>
    ICdpStore Open();
}
