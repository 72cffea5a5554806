using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Storage.Specification.Cluster;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Postgres.Tests.Cluster;

/// <summary>One schema shared by several nodes: every <see cref="Open"/> is another store instance on it (another node).</summary>
public sealed class SharedPostgresSchema : IDifferentialStore
{
    public string Schema { get; } = PostgresTestDatabase.NewSchema();

    public ICdpStore Open() => new PostgresCdpStore(PostgresTestDatabase.Options(Schema));

    public async ValueTask DisposeAsync() => await PostgresTestDatabase.DropSchemasAsync([Schema]);
}

/// <summary>The multi-node specification with two engines on one PostgreSQL schema, and the measured freshness.</summary>
public sealed class PostgresMultiNodeTests(ITestOutputHelper output) : MultiNodeSpecification
{
    private SharedPostgresSchema? _schema;

    protected override Task<IDifferentialStore> CreateClusterAsync()
    {
        _schema = new SharedPostgresSchema();
        return Task.FromResult<IDifferentialStore>(_schema);
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
        await using (var pruner = (PostgresCdpStore)_schema!.Open())
        {
            await pruner.PruneSharedLogAsync(TimeSpan.FromHours(-1));
        }

        await b.CatchUpAsync();

        Assert.Equal(Value.Number(3), await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
    }

    /// <summary>
    /// How long after node A acknowledges a write node B's read reflects it (B holds the profile
    /// cached, so only the notification path makes it fresh). Prints the distribution for
    /// docs/deployment.md; the assertion is the contract (one second), not a speed target.
    /// </summary>
    [Fact]
    public async Task CrossNodeFreshness_IsWithinOneSecond_Measured()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);
        await b.CatchUpAsync();
        var samples = new List<double>();
        for (var i = 1; i <= 100; i++)
        {
            Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
            var clock = Stopwatch.StartNew();
            var expected = Value.Number(i);
            while (!(await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1"))).Equals(expected))
            {
                Assert.True(clock.Elapsed < Freshness, $"write {i} not seen on the other node within {Freshness.TotalMilliseconds} ms");
                await Task.Yield();
            }

            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        output.WriteLine($"cross-node freshness over {samples.Count} writes: p50 {samples[49]:F2} ms, p99 {samples[98]:F2} ms, max {samples[^1]:F2} ms");
    }
}

/// <summary>The engine differential property with two engines on one PostgreSQL schema, operations alternating between them.</summary>
public sealed class PostgresTwoNodeDifferentialProperties
{
    [Property(MaxTest = 20)]
    public Property TwoNodes_AnyStream_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: false), scenario => Task.Run(async () =>
        {
            await using var schema = new SharedPostgresSchema();
            await DifferentialRunner.RunAsync(scenario, schema, new RunOptions(Restarts: false, FinalRestart: false, TwoNodes: true));
        }).GetAwaiter().GetResult());

    [Property(MaxTest = 15)]
    public Property TwoNodes_AnyStreamWithRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: true), scenario => Task.Run(async () =>
        {
            await using var schema = new SharedPostgresSchema();
            await DifferentialRunner.RunAsync(scenario, schema, new RunOptions(Restarts: true, FinalRestart: true, TwoNodes: true));
        }).GetAwaiter().GetResult());
}
