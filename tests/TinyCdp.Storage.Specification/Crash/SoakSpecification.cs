using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Specification.Crash;

/// <summary>
/// Mixed load on the real server for a while (<c>TINYCDP_SOAK_SECONDS</c>, 60 by default; scripts/soak.sh
/// runs 600): 4 writers send <c>/v1/batch</c> for 5,000 users at a steady rate (<c>TINYCDP_SOAK_RATE</c>
/// messages a second in all, 2,000 by default: a soak is a sustained load, not a saturating one), 4
/// readers ask <c>/v1/decide</c> as fast as they can. Every
/// 5 seconds it prints throughput, decide p99 and the server's resident memory. Passes when every
/// request succeeded and memory stayed flat: the highest resident size of the last third is at most
/// 25% (plus 16 MB) above the highest of the middle third — an unbounded cache or queue grows
/// linearly and fails that, a settled heap does not. No timing is asserted.
/// </summary>
public abstract class SoakSpecification(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminKey = "soak-test-admin-key-0123456789abcdef";
    private const int Users = 5_000;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Environment variables that point the server at the store under test.</summary>
    protected abstract IReadOnlyDictionary<string, string> ServerEnvironment { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static int Rate =>
        int.TryParse(Environment.GetEnvironmentVariable("TINYCDP_SOAK_RATE"), out var rate) && rate >= 80 ? rate : 2_000;

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("TINYCDP_SOAK_SECONDS"), out var seconds) && seconds >= 15 ? seconds : 60);

    [Fact]
    public async Task MixedLoad_ForMinutes_KeepsMemoryFlat_AndFailsNoRequest()
    {
        var environment = new Dictionary<string, string>(ServerEnvironment) { ["TINYCDP_ADMIN_KEY"] = AdminKey, ["TINYCDP_RATE_LIMIT_PER_MINUTE"] = "100000000" };
        await using var server = await ServerProcess.StartAsync(environment, TimeSpan.FromSeconds(60));
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        await PostAsync(server.Client, "/v1/admin/traits", new { key = "purchases", expression = "events.purchase.count_all" });
        await PostAsync(server.Client, "/v1/admin/traits", new { key = "spent", expression = "events.purchase.sum(amount, all)" });
        await PostAsync(server.Client, "/v1/admin/segments", new { key = "buyers", rule = "purchases >= 3" });
        await PostAsync(server.Client, "/v1/admin/flags", new { key = "offer", rule = "segment(\"buyers\") && spent > 10" });

        using var stop = new CancellationTokenSource();
        var ingested = 0L;
        var decided = 0L;
        var failures = 0L;
        var latencies = new List<double>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var pace = Stopwatch.StartNew();
            var every = TimeSpan.FromSeconds(4 * 20.0 / Rate); // 4 writers, 20 messages a batch.
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var due = every * n;
                if (due > pace.Elapsed)
                {
                    await Task.Delay(due - pace.Elapsed);
                }

                var batch = Enumerable.Range(0, 20).Select(i => new Dictionary<string, object>
                {
                    ["type"] = "track",
                    ["userId"] = $"user-{random.Next(Users)}",
                    ["event"] = "purchase",
                    ["messageId"] = $"soak-{w}-{n}-{i}",
                    ["properties"] = new Dictionary<string, object> { ["amount"] = random.Next(1, 20) },
                });
                using var response = await Send(server.Client, "/v1/batch", new { batch });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Add(ref ingested, 20);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await server.Client.GetAsync($"/v1/decide?userId=user-{random.Next(Users)}&flag=offer");
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref decided);
                    lock (latencies)
                    {
                        latencies.Add(elapsed);
                    }
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        var memory = new List<double>();
        var clock = Stopwatch.StartNew();
        long lastIngested = 0, lastDecided = 0;
        output.WriteLine($"target ingest rate {Rate} messages/s; seconds, ingest msg/s, decide/s, decide p99 ms, server anonymous RSS MB");
        while (clock.Elapsed < Duration)
        {
            await Task.Delay(Interval);
            double p99;
            lock (latencies)
            {
                latencies.Sort();
                p99 = latencies.Count == 0 ? 0 : latencies[(int)(latencies.Count * 0.99)];
                latencies.Clear();
            }

            var rss = ResidentMegabytes(server.ProcessId);
            memory.Add(rss);
            var nowIngested = Interlocked.Read(ref ingested);
            var nowDecided = Interlocked.Read(ref decided);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{clock.Elapsed.TotalSeconds:F0}, {(nowIngested - lastIngested) / Interval.TotalSeconds:F0}, {(nowDecided - lastDecided) / Interval.TotalSeconds:F0}, {p99:F2}, {rss:F1}"));
            (lastIngested, lastDecided) = (nowIngested, nowDecided);
        }

        await stop.CancelAsync();
        await Task.WhenAll(writers.Concat(readers));
        output.WriteLine($"total: {ingested} messages ingested, {decided} decisions, {failures} failed requests");

        Assert.Equal(0, failures);
        var third = memory.Count / 3;
        var middle = memory.Skip(third).Take(third).Max();
        var last = memory.Skip(2 * third).Max();
        Assert.True(last <= (middle * 1.25) + 16, $"resident memory kept growing: {middle:F1} MB in the middle third, {last:F1} MB in the last");
    }

    // Anonymous resident memory (RssAnon): the heaps and native allocations, without file-backed pages
    // such as the memory-mapped SQLite database, which grow with the file and the kernel can drop.
    private static double ResidentMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }

    private static async Task PostAsync(HttpClient client, string path, object body)
    {
        using var response = await Send(client, path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, object body) =>
        client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
}
