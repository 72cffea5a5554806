using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Specification.Crash;

/// <summary>
/// The real server on a durable store, killed with SIGKILL at random moments while 8 writers send
/// <c>/v1/batch</c> requests with unique message ids, and restarted on the same data, over and over.
/// After each kill: every acknowledged message is stored exactly once, no batch is stored in part,
/// and every profile's stored trait values equal a recount of its stored messages. After each
/// restart: sending the previous round's acknowledged batches again stores nothing.
/// <c>TINYCDP_CRASH_CYCLES</c> sets the number of kills (20 by default, the CI run).
/// </summary>
public abstract class CrashSpecification(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminKey = "crash-test-admin-key-0123456789abcdef";
    private const int Writers = 8;

    /// <summary>Environment variables that point the server at the store under test.</summary>
    protected abstract IReadOnlyDictionary<string, string> ServerEnvironment { get; }

    /// <summary>A new store instance on the server's data, opened while the server is down, for checking.</summary>
    protected abstract Task<ICdpStore> OpenStoreAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static int Cycles => int.TryParse(Environment.GetEnvironmentVariable("TINYCDP_CRASH_CYCLES"), out var cycles) && cycles > 0 ? cycles : 20;

    [Fact]
    public async Task KilledAtRandomMoments_LosesNothingAcknowledged_StoresNoBatchInPart_AndDedupesAcrossRestarts()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, {Cycles} cycles");
        var environment = new Dictionary<string, string>(ServerEnvironment) { ["TINYCDP_ADMIN_KEY"] = AdminKey, ["TINYCDP_RATE_LIMIT_PER_MINUTE"] = "100000000" };
        var acknowledged = new List<string[]>();
        var unacknowledged = 0;
        var previousRound = new List<string[]>();
        var resent = 0;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            await using var server = await ServerProcess.StartAsync(environment, TimeSpan.FromSeconds(60));
            server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            if (cycle == 0)
            {
                await DefineAsync(server.Client, "purchases", "events.purchase.count_all");
                await DefineAsync(server.Client, "spent", "events.purchase.sum(amount, all)");
            }

            // Dedupe across the restart: last round's acknowledged batches, sent again, store nothing.
            foreach (var batch in previousRound.Take(100))
            {
                using var again = await PostBatchAsync(server.Client, batch);
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                using var answer = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
                Assert.Equal(0, answer.RootElement.GetProperty("accepted").GetInt32());
                Assert.Equal(batch.Length, answer.RootElement.GetProperty("duplicates").GetInt32());
                resent++;
            }

            // Load, then SIGKILL at a random moment while the writers keep going.
            var round = new ConcurrentQueue<string[]>();
            var failed = new ConcurrentQueue<string[]>();
            var killed = 0;
            var sizes = Enumerable.Range(0, Writers).Select(_ => random.Next(1, 21)).ToArray();
            var users = Enumerable.Range(0, Writers).Select(_ => random.Next()).ToArray();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var n = 0; Volatile.Read(ref killed) == 0; n++)
                {
                    var batch = Enumerable.Range(0, sizes[w]).Select(i => $"c{cycle}-w{w}-{n}-{i}").ToArray();
                    try
                    {
                        using var response = await PostBatchAsync(server.Client, batch, users[w] + n);
                        (response.StatusCode == HttpStatusCode.OK ? round : failed).Enqueue(batch);
                    }
                    catch (HttpRequestException)
                    {
                        // In flight at the kill (or sent after it): outcome unknown; this writer is done.
                        failed.Enqueue(batch);
                        return;
                    }
                }
            })).ToArray();
            await Task.Delay(random.Next(150, 1200));
            await server.KillAsync();
            Volatile.Write(ref killed, 1);
            await Task.WhenAll(writers);

            acknowledged.AddRange(round);
            unacknowledged += failed.Count;
            previousRound = [.. round];
            await CheckAsync(acknowledged, [.. failed], cycle);
        }

        var messages = acknowledged.Sum(b => b.Length);
        output.WriteLine($"{Cycles} kills survived; {acknowledged.Count} acknowledged batches ({messages} messages) all stored exactly once; " +
            $"{unacknowledged} batches in flight at a kill, none stored in part; {resent} batches re-sent after restarts, all duplicates");
    }

    private async Task CheckAsync(List<string[]> acknowledged, IReadOnlyList<string[]> failed, int cycle)
    {
        var store = await OpenStoreAsync();
        try
        {
            var ids = acknowledged.SelectMany(b => b).ToList();
            foreach (var chunk in ids.Chunk(1_000))
            {
                var known = await store.FindKnownMessageIdsAsync(chunk);
                var missing = chunk.Where(id => !known.Contains(id)).ToList();
                Assert.True(missing.Count == 0, $"cycle {cycle}: acknowledged but not stored: {string.Join(", ", missing.Take(5))}");
            }

            foreach (var batch in failed)
            {
                var known = (await store.FindKnownMessageIdsAsync(batch)).Count;
                Assert.True(known == 0 || known == batch.Length, $"cycle {cycle}: a batch is stored in part ({known} of {batch.Length})");
            }

            // Exactly once, and each profile's stored trait values equal a recount of its messages.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            Guid? after = null;
            while (true)
            {
                var page = await store.ListProfileIdsAsync(after, 500);
                foreach (var profile in page)
                {
                    var events = await store.GetEventsAsync(profile);
                    foreach (var e in events)
                    {
                        Assert.True(seen.Add(e.MessageId), $"cycle {cycle}: message {e.MessageId} stored twice");
                    }

                    var purchases = events.Where(e => e.Name == "purchase").ToList();
                    var spent = purchases.Sum(e => JsonDocument.Parse(e.PropertiesJson).RootElement.GetProperty("amount").GetDouble());
                    var traits = (await store.GetTraitValuesAsync(profile)).ToDictionary(t => t.Trait, t => double.Parse(t.ValueJson, CultureInfo.InvariantCulture));
                    Assert.Equal(purchases.Count, traits.GetValueOrDefault("purchases"));
                    Assert.Equal(spent, traits.GetValueOrDefault("spent"));
                }

                if (page.Count < 500)
                {
                    break;
                }

                after = page[^1];
            }
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    private static async Task DefineAsync(HttpClient client, string key, string expression)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { key, expression }), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/admin/traits", content);
        Assert.True(response.IsSuccessStatusCode, $"defining {key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static Task<HttpResponseMessage> PostBatchAsync(HttpClient client, string[] messageIds, int user = 0)
    {
        var batch = messageIds.Select((id, i) => new Dictionary<string, object>
        {
            ["type"] = "track",
            ["userId"] = $"user-{(user + i) % 50}",
            ["event"] = "purchase",
            ["messageId"] = id,
            ["properties"] = new Dictionary<string, object> { ["amount"] = (id.Length % 7) + 1 },
        });
        var content = new StringContent(JsonSerializer.Serialize(new { batch }), Encoding.UTF8, "application/json");
        return client.PostAsync("/v1/batch", content);
    }
}
