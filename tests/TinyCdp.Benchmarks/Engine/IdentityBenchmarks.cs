using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Benchmarks.Engine;

/// <summary>
/// Identity resolution through the engine's public API (in-memory store, so the figure is the
/// engine's work and not a disk's): a track whose user id and anonymous id both belong to one known
/// profile, and a track whose user id belongs to one profile and anonymous id to another, which
/// merges them (the absorbed profile's events move over and the survivor's aggregates are rebuilt
/// from both histories). Baseline, same run: the plain track by user id on a known profile.
/// </summary>
/// <remarks>
/// A merge can only happen once per pair, so every iteration sends one message for each of
/// <see cref="Pairs"/> fresh pairs of profiles, created (with <see cref="EventsPerProfile"/>
/// events each) before the iteration. All three methods run the same way.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(20)]
[InvocationCount(Pairs)]
public class IdentityBenchmarks
{
    /// <summary>Messages per iteration.</summary>
    public const int Pairs = 500;

    /// <summary>Events each profile of a pair holds before the message.</summary>
    public const int EventsPerProfile = 20;

    private readonly Value _properties = Value.ParseJson("{\"amount\": 12}");
    private ServiceProvider _services = null!;
    private ITinyCdp _cdp = null!;
    private int _round;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseInMemoryStore().Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _cdp = _services.GetRequiredService<ITinyCdp>();
        Run(_cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases_30d", "events.purchase.count_30d")));
        Run(_cdp.Definitions.SaveTraitAsync(new TraitDefinition("spent_30d", "events.purchase.sum(amount, 30d)")));
        Run(_cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "purchases_30d >= 3")));
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>
    /// Creates this iteration's pairs: profile A known by user id and anonymous id, profile B by
    /// another anonymous id only, each with its events in the last days.
    /// </summary>
    [IterationSetup]
    public void CreatePairs()
    {
        _round++;
        _next = 0;
        var now = DateTimeOffset.UtcNow;
        var messages = new List<CdpMessage>();
        for (var p = 0; p < Pairs; p++)
        {
            for (var i = 0; i < EventsPerProfile; i++)
            {
                var time = now - TimeSpan.FromHours(i + 1);
                messages.Add(CdpMessage.Track(UserId(p), "purchase", _properties, time, anonymousId: AnonymousA(p)));
                messages.Add(CdpMessage.Track(null, "purchase", _properties, time, anonymousId: AnonymousB(p)));
            }

            if (messages.Count >= 2_000)
            {
                Send(messages);
            }
        }

        Send(messages);
    }

    /// <summary>Baseline: a track by user id on a known profile.</summary>
    [Benchmark(Baseline = true)]
    public int TrackKnownUser() => Send(CdpMessage.Track(UserId(_next++), "purchase", _properties));

    /// <summary>A track carrying two identifiers that both belong to the same known profile.</summary>
    [Benchmark]
    public int ResolveKnownProfile()
    {
        var pair = _next++;
        return Send(CdpMessage.Track(UserId(pair), "purchase", _properties, anonymousId: AnonymousA(pair)));
    }

    /// <summary>A track linking two existing profiles: B (anonymous) is merged into A (the user).</summary>
    [Benchmark]
    public int ResolveWithMerge()
    {
        var pair = _next++;
        return Send(CdpMessage.Track(UserId(pair), "purchase", _properties, anonymousId: AnonymousB(pair)));
    }

    private string UserId(int pair) => $"user-{_round}-{pair}";

    private string AnonymousA(int pair) => $"anon-a-{_round}-{pair}";

    private string AnonymousB(int pair) => $"anon-b-{_round}-{pair}";

    private int Send(CdpMessage message)
    {
        var result = _cdp.SendAsync(message).GetAwaiter().GetResult();
        return result.Accepted ? result.Stored : throw new InvalidOperationException(result.Error!.Message);
    }

    private void Send(List<CdpMessage> messages)
    {
        var result = _cdp.BatchAsync([.. messages]).GetAwaiter().GetResult();
        if (!result.Accepted || result.Stored != messages.Count)
        {
            throw new InvalidOperationException("The benchmark's pairs were not created.");
        }

        messages.Clear();
    }

    private static void Run(Task task) => task.GetAwaiter().GetResult();
}
