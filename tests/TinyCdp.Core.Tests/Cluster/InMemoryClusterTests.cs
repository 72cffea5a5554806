using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Storage.Specification.Cluster;

namespace TinyCdp.Core.Tests.Cluster;

/// <summary>The multi-node specification on the in-memory cluster, and what only a test double can stage.</summary>
public sealed class InMemoryClusterTests : MultiNodeSpecification
{
    private InMemoryCluster? _cluster;

    protected override Task<IDifferentialStore> CreateClusterAsync()
    {
        _cluster = new InMemoryCluster();
        return Task.FromResult<IDifferentialStore>(_cluster);
    }

    [Fact]
    public async Task WhenTheLogNoLongerReachesBack_ANodeDropsEverythingItCached()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        await a.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        await b.CatchUpAsync();
        Assert.Equal(Value.Number(1), await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));

        // b misses a's next commit entirely: the log is pruned before b looks.
        var engine = (CdpEngine)b.Cdp;
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        _cluster!.PruneLog();
        await b.CatchUpAsync();

        Assert.Equal(Value.Number(2), await engine.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
    }
}
