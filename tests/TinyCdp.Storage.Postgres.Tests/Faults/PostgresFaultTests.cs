using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Postgres.Tests.Faults;

/// <summary>
/// PostgreSQL goes away under load and comes back: nothing acknowledged is lost, nothing is stored in
/// part, readiness says so while it is away, and the same engine serves again without a restart.
/// </summary>
public sealed class PostgresFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheDatabaseCrashingUnderLoad_LosesNoAcknowledgedMessage_AndTheNodeRecoversWithoutARestart()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var options = new PostgresCdpStoreOptions { ConnectionString = cluster.ConnectionString, Schema = "faults" };
        await using var host = new EngineHost(new PostgresCdpStore(options), DateTimeOffset.UtcNow);
        Assert.True((await host.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);
        var probe = host.Services.GetRequiredService<ReadinessProbe>();
        Assert.True(await probe.IsReadyAsync());

        var acknowledged = new ConcurrentQueue<string[]>();
        var failed = new ConcurrentQueue<string[]>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var ids = Enumerable.Range(0, 5).Select(i => $"w{w}-{n}-{i}").ToArray();
                var batch = ids.Select((id, i) => CdpMessage.Track($"user-{(n + i) % 10}", "purchase", messageId: id)).ToList();
                try
                {
                    var result = await host.Cdp.BatchAsync(batch);
                    Assert.True(result.Accepted, result.Error?.Message);
                    acknowledged.Enqueue(ids);
                }
                catch (TinyCdpException exception) when (exception.Code == TinyCdpErrorCode.StoreUnavailable)
                {
                    failed.Enqueue(ids);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await WaitUntil(() => acknowledged.Count >= 40, "writes acknowledged before the crash");
        var down = Stopwatch.StartNew();
        await cluster.CrashAsync();

        // Away: writes fail (not acknowledged), readiness fails.
        var failedBefore = failed.Count;
        await WaitUntil(() => failed.Count >= failedBefore + 8, "writes refused while the database is away");
        Assert.False(await probe.IsReadyAsync());

        // Back: the same engine acknowledges writes again.
        await cluster.StartServerAsync();
        var restarted = down.Elapsed;
        var acknowledgedBefore = acknowledged.Count;
        await WaitUntil(() => acknowledged.Count > acknowledgedBefore, "a write acknowledged after the database returned");
        var recovered = down.Elapsed;
        await WaitUntil(() => acknowledged.Count >= acknowledgedBefore + 40, "writes acknowledged after the database returned");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(await probe.IsReadyAsync());
        output.WriteLine($"acknowledged batches {acknowledged.Count}, failed batches {failed.Count}; database back after {restarted.TotalSeconds:F1} s, first write acknowledged after {recovered.TotalSeconds:F1} s");

        // Every acknowledged message is stored exactly once; every failed batch whole or not at all.
        await using var check = new PostgresCdpStore(options);
        var acknowledgedIds = acknowledged.SelectMany(b => b).ToList();
        var stored = await check.FindKnownMessageIdsAsync(acknowledgedIds);
        Assert.Equal(acknowledgedIds.Count, stored.Count);
        foreach (var batch in failed)
        {
            var found = (await check.FindKnownMessageIdsAsync(batch)).Count;
            Assert.True(found == 0 || found == batch.Length, $"a failed batch is stored in part: {found} of {batch.Length}");
        }

        // Sending every acknowledged batch again adds nothing.
        foreach (var batch in acknowledged.Take(50))
        {
            var again = await host.Cdp.BatchAsync([.. batch.Select(id => CdpMessage.Track("user-0", "purchase", messageId: id))]);
            Assert.All(again.Items, item => Assert.True(item.Duplicate));
        }

        // Each profile's value equals a recount of its stored messages, with no message stored twice.
        for (var u = 0; u < 10; u++)
        {
            var reference = ProfileReference.ByUserId($"user-{u}");
            var profile = await host.Cdp.GetProfileAsync(reference);
            Assert.NotNull(profile);
            var events = await check.GetEventsAsync(profile.Id);
            Assert.Equal(events.Count, events.Select(e => e.MessageId).Distinct().Count());
            Assert.Equal(Value.Number(events.Count), await host.Cdp.EvaluateTraitAsync("purchases", reference));
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"timed out waiting for: {what}");
            }

            await Task.Delay(25);
        }
    }
}
