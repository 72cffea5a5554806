using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Aggregation;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage.Sqlite;

namespace TinyCdp.Benchmarks.Seed;

/// <summary>
/// The seed's design as a baseline: per tracked event, the original TinyCDP inserts the event and
/// then recomputes every metric of the user from the events table, one SQL query per metric per
/// event name the user has (<see cref="SeedRecompute"/>). Against it, per tracked event at 10, 100
/// and 1,000 events per user: TinyCdp's incremental aggregates in memory (add the event, evaluate
/// the same 42 metrics; no store write), and TinyCdp's whole durable track through the engine on
/// SQLite (identity, aggregates, traits, segments and the commit).
/// </summary>
/// <remarks>
/// Every iteration tracks one event for each of <see cref="Users"/> users in turn. Before each
/// iteration the seed's table and the in-memory aggregates are put back to exactly
/// <see cref="EventsPerUser"/> events per user; the engine's profiles cannot be put back, so they
/// gain one event per iteration (at most 8 over a run), which its O(log n) aggregates do not feel.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(6)]
[InvocationCount(Users)]
public class SeedRecomputeBenchmarks
{
    /// <summary>Users tracked per iteration, one event each.</summary>
    public const int Users = 200;

    private static readonly string[] EventNames = ["page_view", "search", "add_to_cart", "purchase", "app_open"];
    private static readonly TimeSpan HistorySpan = TimeSpan.FromDays(60);

    /// <summary>The engine's margin when it compacts a profile's aggregates after a commit.</summary>
    private static readonly TimeSpan CompactionMargin = TimeSpan.FromHours(1);

    private string _directory = null!;
    private SeedRecompute _seed = null!;
    private ServiceProvider? _services;
    private ITinyCdp _cdp = null!;
    private CatalogSnapshot _catalog = null!;
    private ProfileAggregates[] _aggregates = null!;
    private DateTimeOffset _seededAt;
    private int _next;
    private long _checksum;

    [Params(10, 100, 1_000)]
    public int EventsPerUser { get; set; }

    /// <summary>The seed's metrics as TinyCdp traits: 8 per event name, and first/last seen over all events.</summary>
    internal static IEnumerable<TraitDefinition> SeedTraits()
    {
        foreach (var name in EventNames)
        {
            foreach (var metric in (string[])["count_7d", "count_14d", "count_30d", "unique_days_7d", "unique_days_14d", "unique_days_30d", "first_seen_days_ago", "last_seen_days_ago"])
            {
                yield return new TraitDefinition($"{name}_{metric}", $"events.{name}.{metric}");
            }
        }

        yield return new TraitDefinition("user_first_seen_days_ago", "first_seen_days_ago");
        yield return new TraitDefinition("user_last_seen_minutes_ago", "last_seen_minutes_ago");
    }

    [GlobalSetup(Targets = [nameof(SeedRecompute), nameof(SeedQueriesOnly)])]
    public void SetupSeed()
    {
        _directory = Directory.CreateTempSubdirectory("tinycdp-seed-").FullName;
        _seededAt = DateTimeOffset.UtcNow;
        _seed = new SeedRecompute(Path.Combine(_directory, "seed.db"));
        _seed.Load(Users, History(_seededAt));
    }

    [GlobalSetup(Target = nameof(TinyCdpIncremental))]
    public void SetupIncremental()
    {
        _seededAt = DateTimeOffset.UtcNow;
        if (!CatalogCompiler.TryCompile(new CatalogDefinitions([.. SeedTraits()], [], []), 1, null, out var catalog, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        _catalog = catalog;
        _aggregates = new ProfileAggregates[Users];
    }

    [GlobalSetup(Target = nameof(TinyCdpDurableTrack))]
    public void SetupEngine()
    {
        _directory = Directory.CreateTempSubdirectory("tinycdp-seed-").FullName;
        _seededAt = DateTimeOffset.UtcNow;
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseSqlite($"Data Source={Path.Combine(_directory, "engine.db")}").Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _cdp = _services.GetRequiredService<ITinyCdp>();
        foreach (var trait in SeedTraits())
        {
            Check(_cdp.Definitions.SaveTraitAsync(trait).GetAwaiter().GetResult().Succeeded, "trait");
        }

        var properties = Value.ParseJson("{\"n\": 1}");
        foreach (var chunk in History(_seededAt).Chunk(2_000))
        {
            var result = _cdp.BatchAsync([.. chunk.Select(e => CdpMessage.Track(e.UserId, e.Name, properties, e.Time))]).GetAwaiter().GetResult();
            Check(result.Accepted, "seed batch");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _seed?.Dispose();
        _services?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [IterationSetup(Targets = [nameof(SeedRecompute), nameof(SeedQueriesOnly)])]
    public void ResetSeed()
    {
        _seed.RemoveTracked();
        _next = 0;
    }

    [IterationSetup(Target = nameof(TinyCdpIncremental))]
    public void ResetIncremental()
    {
        var properties = Value.ParseJson("{\"n\": 1}");
        for (var u = 0; u < Users; u++)
        {
            _aggregates[u] = new ProfileAggregates(_catalog, TimeZoneInfo.Utc);
        }

        foreach (var e in History(_seededAt))
        {
            _aggregates[e.User].Add(MessageKind.Track, e.Name, e.Time, properties, Value.Null);
        }

        // As the engine does after every commit: drop what no evaluation from an hour ago on needs.
        var horizon = DateTimeOffset.UtcNow - CompactionMargin;
        foreach (var aggregates in _aggregates)
        {
            aggregates.Compact(horizon);
        }

        _next = 0;
    }

    [IterationSetup(Target = nameof(TinyCdpDurableTrack))]
    public void ResetEngine() => _next = 0;

    /// <summary>The seed: insert the event, then recompute the user's metrics with one query per metric per event name.</summary>
    [Benchmark(Baseline = true)]
    public long SeedRecompute()
    {
        var user = _next++;
        return _checksum += _seed.Track(UserId(user), EventNames[user % EventNames.Length], DateTimeOffset.UtcNow);
    }

    /// <summary>The seed's recompute alone, without the insert and its commit (the history does not grow).</summary>
    [Benchmark]
    public long SeedQueriesOnly()
    {
        var user = _next++;
        return _checksum += _seed.Recompute(UserId(user), DateTimeOffset.UtcNow);
    }

    /// <summary>TinyCdp's aggregates in memory: add the event, evaluate all 42 metrics, compact as the engine does. No store write.</summary>
    [Benchmark]
    public long TinyCdpIncremental()
    {
        var user = _next++;
        var now = DateTimeOffset.UtcNow;
        var aggregates = _aggregates[user];
        aggregates.Add(MessageKind.Track, EventNames[user % EventNames.Length], now, Value.Null, Value.Null);
        var values = aggregates.Evaluate(now);
        aggregates.Compact(now - CompactionMargin);
        return _checksum += values.Counts[0];
    }

    /// <summary>TinyCdp's whole track through the engine on SQLite: identity, aggregates, traits, and the durable commit.</summary>
    [Benchmark]
    public long TinyCdpDurableTrack()
    {
        var user = _next++;
        var result = _cdp.TrackAsync(UserId(user), EventNames[user % EventNames.Length]).GetAwaiter().GetResult();
        return _checksum += result.Stored;
    }

    private IEnumerable<SeedRecompute.HistoryEvent> History(DateTimeOffset now)
    {
        // Each user's events are spread evenly over the last 60 days, over the five names in turn.
        // (shifted back by a few minutes per user, so that no event is in the future).
        var spacing = HistorySpan / EventsPerUser;
        for (var u = 0; u < Users; u++)
        {
            var start = now - HistorySpan - TimeSpan.FromMinutes(u);
            for (var i = 0; i < EventsPerUser; i++)
            {
                yield return new SeedRecompute.HistoryEvent(u, UserId(u), EventNames[(u + i) % EventNames.Length], start + (spacing * i));
            }
        }
    }

    private static string UserId(int user) => $"user-{user}";

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup failed: {what}.");
        }
    }
}
