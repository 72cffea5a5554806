using TinyCdp.Core.Tests.Cluster;
using TinyCdp.Core.Tests.Differential;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Storage.Postgres.Tests.Differential;

namespace TinyCdp.Storage.Postgres.Tests.Cluster;

/// <summary>The multi-node specification on PostgreSQL: each node is an engine with a store instance of its own on one schema.</summary>
public sealed class PostgresMultiNodeTests : MultiNodeSpecification
{
    private PostgresDifferentialStore? _cluster;

    protected override Task<IDifferentialStore> CreateClusterAsync()
    {
        _cluster = new PostgresDifferentialStore();
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

        // The log loses the first of a's next two commits before b looks (only the newest row is kept).
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        await using (var pruner = (PostgresCdpStore)_cluster!.Open())
        {
            await pruner.PruneSharedLogAsync(TimeSpan.FromHours(-1));
        }

        await b.CatchUpAsync();

        Assert.Equal(Value.Number(3), await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
    }
}
