using BenchmarkDotNet.Attributes;
using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Benchmarks.Engine;

/// <summary>
/// Applying one event to a profile with 30 aggregates (10 event names × count/sum/unique days over
/// 7 to 90 days, where half read the event) and evaluating them all, at 10, 1,000 and 100,000
/// retained events. The cost must not grow linearly with history. Baseline: the smallest profile.
/// </summary>
[MemoryDiagnoser]
public class ApplyEventBenchmarks
{
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private ProfileAggregates _aggregates = null!;
    private DateTimeOffset _now;
    private readonly Value _properties = Value.ParseJson("{\"amount\": 7}");

    [Params(10, 1_000, 100_000)]
    public int RetainedEvents { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var traits = new List<TraitDefinition>();
        string[] windows = ["7d", "30d", "90d"];
        for (var e = 0; e < 10; e++)
        {
            var window = windows[e % 3];
            traits.Add(new TraitDefinition($"c{e}", $"events.e{e % 2}.count_{window}"));
            traits.Add(new TraitDefinition($"s{e}", $"events.e{e % 2}.sum(amount, {window})"));
            traits.Add(new TraitDefinition($"u{e}", $"events.e{e % 2}.unique_days_30d"));
        }

        if (!CatalogCompiler.TryCompile(new CatalogDefinitions(traits, [], []), 1, null, out var catalog, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        _aggregates = new ProfileAggregates(catalog, TimeZoneInfo.Utc);
        var spacing = TimeSpan.FromTicks(TimeSpan.FromDays(80).Ticks / RetainedEvents);
        for (var i = 0; i < RetainedEvents; i++)
        {
            _aggregates.Add(MessageKind.Track, $"e{i % 2}", Start + (spacing * i), _properties, Value.Null);
        }

        _now = Start + TimeSpan.FromDays(80);
    }

    [Benchmark]
    public Value ApplyAndEvaluate()
    {
        _now += TimeSpan.FromSeconds(1);
        _aggregates.Add(MessageKind.Track, "e0", _now, _properties, Value.Null);
        return _aggregates.Evaluate(_now).Values[0];
    }
}
