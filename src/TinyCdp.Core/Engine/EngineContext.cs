using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// What every part of one engine shares: the store, the options, the clock, the logger, the stop
/// signal and the live catalog. The writer's own counters (the last event sequence, the last time the
/// dedupe window was applied) live here too: only the writer touches them.
/// </summary>
internal sealed class EngineContext(ICdpStore store, TinyCdpOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>How far back from now aggregators keep exact state for reads (reads before that rebuild).</summary>
    public static readonly TimeSpan CompactionMargin = TimeSpan.FromMinutes(5);

    private readonly CancellationTokenSource _stopping = new();
    private CatalogSnapshot _catalog = CatalogSnapshot.Empty;

    public ICdpStore Store { get; } = store;

    /// <summary>The store as shared by several processes, when it is (PostgreSQL behind several nodes).</summary>
    public ISharedCdpStore? Shared { get; } = store as ISharedCdpStore;

    public TinyCdpOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Cancelled when the engine stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>The catalog readers and the writer use now.</summary>
    public CatalogSnapshot Catalog => Volatile.Read(ref _catalog);

    /// <summary>The highest event sequence handed out (writer only).</summary>
    public long LastSequence { get; set; }

    /// <summary>When the writer last asked the store to forget old message ids (writer only).</summary>
    public DateTimeOffset LastForget { get; set; } = DateTimeOffset.MinValue;

    public Task StopAsync() => _stopping.CancelAsync();

    public void DisposeStopping() => _stopping.Dispose();

    /// <summary>Swaps in a catalog the writer just committed.</summary>
    public void SetCatalog(CatalogSnapshot catalog) => Volatile.Write(ref _catalog, catalog);

    /// <summary>Swaps in a catalog unless a newer one is already live (another node's change).</summary>
    public void InstallCatalog(CatalogSnapshot catalog)
    {
        while (true)
        {
            var current = Volatile.Read(ref _catalog);
            if (current.Version >= catalog.Version || Interlocked.CompareExchange(ref _catalog, catalog, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>The stored definitions, compiled.</summary>
    public async Task<CatalogSnapshot> LoadCatalogAsync(CancellationToken cancellationToken)
    {
        var (stored, version) = await Store.GetDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        var definitions = new CatalogDefinitions(
            stored.Where(d => d.Kind == DefinitionKind.Trait).Select(d => DefinitionJson.ReadTrait(d.BodyJson)).ToList(),
            stored.Where(d => d.Kind == DefinitionKind.Segment).Select(d => DefinitionJson.ReadSegment(d.BodyJson)).ToList(),
            stored.Where(d => d.Kind == DefinitionKind.Flag).Select(d => DefinitionJson.ReadFlag(d.BodyJson)).ToList());
        if (!CatalogCompiler.TryCompile(definitions, version, Options.Retention, out var catalog, out var error))
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, $"The stored definitions do not compile: {error.Message}");
        }

        return catalog;
    }
}
