using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Benchmarks.Engine;

/// <summary>
/// Decide for a hot profile (in memory) with a flag that reads a segment, a trait and a 10%
/// rollout. Baseline: evaluating the flag's compiled rule alone against the same snapshot, so the
/// ratio is what the engine adds around the rule (lookup, snapshot check, bucketing, result).
/// </summary>
[MemoryDiagnoser]
public class DecideBenchmarks
{
    private ServiceProvider _services = null!;
    private ITinyCdp _cdp = null!;
    private HotPath _hot = null!;
    private readonly ProfileReference _user = ProfileReference.ByUserId("hot-user");

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseInMemoryStore().Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _cdp = _services.GetRequiredService<ITinyCdp>();
        Run(_cdp.Definitions.SaveTraitAsync(new TraitDefinition("total_spent", "events.purchase.sum(amount, 30d)")));
        Run(_cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("frequent", "events.purchase.count_30d >= 3")));
        Run(_cdp.Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "new_checkout",
            Rules = [new FlagRule("segment(\"frequent\") && trait(\"total_spent\") >= 100") { Split = [new("on", 10), new("off", 90)] }],
        }));
        for (var i = 0; i < 5; i++)
        {
            Run(_cdp.TrackAsync("hot-user", "purchase", Value.ParseJson("{\"amount\": 40}")));
        }

        _hot = HotPath.Create(_cdp, "new_checkout", _user);
        if (Decide() is null || Rule() != true)
        {
            throw new InvalidOperationException("The benchmark's profile must match the rule.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public bool Rule() => _hot.EvaluateRule();

    [Benchmark]
    public Decision? Decide() => _cdp.DecideAsync("new_checkout", _user).GetAwaiter().GetResult();

    [Benchmark]
    public bool DecideFast() => _hot.DecideAllow();

    private static void Run(Task task) => task.GetAwaiter().GetResult();
}
