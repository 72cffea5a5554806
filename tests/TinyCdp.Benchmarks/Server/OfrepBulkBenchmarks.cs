using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.AspNetCore.Endpoints;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Benchmarks.Server;

/// <summary>
/// OFREP bulk evaluation of 20 flags for one hot profile, in process: the server's endpoint logic
/// (read the request body, decide every flag, order them, compute the ETag, write the JSON answer)
/// without HTTP, routing or authentication. Baselines, same run: the engine's
/// <see cref="ITinyCdp.DecideAllAsync"/> alone (the evaluation the endpoint starts from), and
/// <see cref="ITinyCdp.TryDecide"/> twenty times (the allocation-free hot path, without reasons).
/// </summary>
[MemoryDiagnoser]
public class OfrepBulkBenchmarks
{
    /// <summary>Flags defined (and all evaluated).</summary>
    public const int Flags = 20;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"context\":{\"targetingKey\":\"hot-user\",\"country\":\"FR\"}}");

    private readonly ProfileReference _user = ProfileReference.Any("hot-user");
    private readonly Dictionary<string, Value> _context = new(StringComparer.Ordinal) { ["country"] = Value.String("FR") };
    private readonly string[] _keys = [.. Enumerable.Range(0, Flags).Select(i => $"flag_{i:D2}")];
    private ServiceProvider _services = null!;
    private ITinyCdp _cdp = null!;
    private DefaultHttpContext _http = null!;
    private MemoryStream _request = null!;
    private MemoryStream _response = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseInMemoryStore().Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _cdp = _services.GetRequiredService<ITinyCdp>();
        var definitions = _cdp.Definitions;
        Check(definitions.SaveTraitAsync(new TraitDefinition("spent_30d", "events.purchase.sum(amount, 30d)")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveTraitAsync(new TraitDefinition("purchases_30d", "events.purchase.count_30d")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveTraitAsync(new TraitDefinition("active_days_14d", "events.app_open.unique_days_14d")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveTraitAsync(new TraitDefinition("recent", "last_seen_minutes_ago < 1440")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "purchases_30d >= 3")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveSegmentAsync(new SegmentDefinition("big_spenders", "spent_30d >= 100")).GetAwaiter().GetResult().Succeeded);
        Check(definitions.SaveSegmentAsync(new SegmentDefinition("habitual", "active_days_14d >= 2 && recent")).GetAwaiter().GetResult().Succeeded);

        // Twenty flags of the usual shapes: a segment, a trait threshold, a request attribute, a
        // percentage rollout, typed variants; some match the profile, some do not.
        string[] segments = ["buyers", "big_spenders", "habitual"];
        for (var i = 0; i < Flags; i++)
        {
            var rule = (i % 4) switch
            {
                0 => $"segment(\"{segments[i % 3]}\")",
                1 => $"segment(\"{segments[i % 3]}\") && trait(\"spent_30d\") >= {i * 10}",
                2 => $"context.country == \"FR\" && trait(\"purchases_30d\") >= {i % 7}",
                _ => $"trait(\"active_days_14d\") >= {i % 5} || profile.plan == \"premium\"",
            };
            var flag = i % 3 == 0
                ? new FlagDefinition { Key = _keys[i], Rules = [new FlagRule(rule) { Split = [new("on", 25), new("off", 75)] }] }
                : i % 3 == 1
                    ? FlagDefinition.FromRule(_keys[i], rule)
                    : new FlagDefinition
                    {
                        Key = _keys[i],
                        Variants = new Dictionary<string, Value>(StringComparer.Ordinal) { ["control"] = Value.String("blue"), ["treatment"] = Value.String("green") },
                        Rules = [new FlagRule(rule) { Variant = "treatment" }],
                        DefaultVariant = "control",
                    };
            Check(definitions.SaveFlagAsync(flag).GetAwaiter().GetResult().Succeeded);
        }

        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            Check(_cdp.TrackAsync("hot-user", "purchase", Value.ParseJson("{\"amount\": 40}"), now - TimeSpan.FromDays(i)).GetAwaiter().GetResult().Accepted);
            Check(_cdp.TrackAsync("hot-user", "app_open", default, now - TimeSpan.FromDays(i)).GetAwaiter().GetResult().Accepted);
        }

        _request = new MemoryStream(Body, writable: false);
        _response = new MemoryStream(16 * 1024);
        _http = new DefaultHttpContext();
        _http.Request.Method = "POST";
        _http.Request.ContentType = "application/json";
        _http.Request.Body = _request;
        _http.Response.Body = _response;

        // The profile is hot (in memory) and every flag answers.
        Check(TryDecideAll() == Flags && DecideAll() == Flags);
        OfrepBulk();
        Check(_http.Response.StatusCode == StatusCodes.Status200OK && _response.Length > 1_000);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>The engine's evaluation of every flag with reasons (what the endpoint calls).</summary>
    [Benchmark(Baseline = true)]
    public int DecideAll() => _cdp.DecideAllAsync(_user, null, _context).AsTask().GetAwaiter().GetResult().Count;

    /// <summary>The allocation-free hot path, once per flag (no reasons, no validity).</summary>
    [Benchmark]
    public int TryDecideAll()
    {
        var answered = 0;
        foreach (var key in _keys)
        {
            if (_cdp.TryDecide(key, _user, _context, out _))
            {
                answered++;
            }
        }

        return answered;
    }

    /// <summary>The OFREP bulk endpoint: parse the request, decide, order, ETag, write the JSON answer.</summary>
    [Benchmark]
    public long OfrepBulk()
    {
        _request.Position = 0;
        _response.SetLength(0);
        var result = OfrepEndpoints.EvaluateAllAsync(_http.Request, _cdp, CancellationToken.None).GetAwaiter().GetResult();
        result.ExecuteAsync(_http).GetAwaiter().GetResult();
        return _response.Length;
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup did not do what it expects.");
        }
    }
}
