using System.Diagnostics;
using Microsoft.Data.Sqlite;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Sqlite.Tests.Faults;

/// <summary>A fact that needs root (to mount a small file system); skipped with the reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "mounting a small file system needs root (.ci/run runs as root)";
        }
    }
}

/// <summary>A tmpfs of a given size, mounted on a temporary directory for one test.</summary>
public sealed class SmallFileSystem : IAsyncDisposable
{
    private SmallFileSystem(string path) => Path = path;

    public string Path { get; }

    public static async Task<SmallFileSystem> MountAsync(string size)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tinycdp-fs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        await RunAsync("mount", $"-t tmpfs -o size={size} tinycdp-test {path}");
        return new SmallFileSystem(path);
    }

    /// <summary>Changes the mount (<c>size=64m</c>, <c>ro</c>, <c>rw</c>).</summary>
    public Task RemountAsync(string options) => RunAsync("mount", $"-o remount,{options} {Path}");

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await RunAsync("umount", $"-l {Path}");
        Directory.Delete(Path);
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments}: {error}");
        }
    }
}

/// <summary>
/// The SQLite file's disk fills up or turns read-only: writes are refused with a clear error,
/// nothing is acknowledged that was not stored, reads go on, and writes work again once the disk
/// does (no restart).
/// </summary>
public sealed class SqliteDiskFaultTests(ITestOutputHelper output)
{
    private static readonly string Padding = new('x', 400);

    [RootFact]
    public async Task ADiskThatFillsUp_RefusesWritesClearly_AcknowledgesOnlyWhatIsStored_AndRecoversWhenSpaceReturns()
    {
        await using var disk = await SmallFileSystem.MountAsync("2m");
        var options = new SqliteCdpStoreOptions { ConnectionString = $"Data Source={Path.Combine(disk.Path, "full.db")}" };
        await using var host = new EngineHost(new SqliteCdpStore(options), DateTimeOffset.UtcNow);
        Assert.True((await host.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);

        var acknowledged = new List<string[]>();
        var refused = new List<string[]>();
        TinyCdpException? failure = null;
        for (var n = 0; failure is null; n++)
        {
            Assert.True(n < 5_000, "the 2 MB disk never filled up");
            var batch = Batch($"fill-{n}", 20);
            try
            {
                Assert.True((await host.Cdp.BatchAsync(batch.Messages)).Accepted);
                acknowledged.Add(batch.Ids);
            }
            catch (TinyCdpException exception)
            {
                failure = exception;
                refused.Add(batch.Ids);
            }
        }

        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, failure.Code);
        Assert.Equal("The SQLite database is full (no space left on the disk, or the size limit); nothing was stored.", failure.Message);

        // Still full: refused again; reads go on from what was stored.
        var again = Batch("while-full", 20);
        await Assert.ThrowsAsync<TinyCdpException>(() => host.Cdp.BatchAsync(again.Messages));
        refused.Add(again.Ids);
        var storedForUser0 = acknowledged.Count * 20 / 10;
        Assert.Equal(Value.Number(storedForUser0), await host.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("user-0")));

        // Space returns: the same engine writes again.
        await disk.RemountAsync("size=64m");
        var after = Batch("after", 20);
        Assert.True((await host.Cdp.BatchAsync(after.Messages)).Accepted);
        acknowledged.Add(after.Ids);

        await using var check = new SqliteCdpStore(options);
        var ids = acknowledged.SelectMany(b => b).ToList();
        Assert.Equal(ids.Count, (await check.FindKnownMessageIdsAsync(ids)).Count);
        foreach (var batch in refused)
        {
            Assert.Empty(await check.FindKnownMessageIdsAsync(batch));
        }

        output.WriteLine($"disk full after {acknowledged.Count - 1} acknowledged batches of 20; {refused.Count} refused, none stored; recovered without a restart");
    }

    [RootFact]
    public async Task ADiskThatTurnsReadOnly_RefusesWritesClearly_ServesReads_AndRecoversWhenWritable()
    {
        await using var disk = await SmallFileSystem.MountAsync("64m");
        var options = new SqliteCdpStoreOptions { ConnectionString = $"Data Source={Path.Combine(disk.Path, "ro.db")}" };
        await using (var first = new EngineHost(new SqliteCdpStore(options), DateTimeOffset.UtcNow))
        {
            Assert.True((await first.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);
            Assert.True((await first.Cdp.BatchAsync(Batch("before", 10).Messages)).Accepted);
        }

        SqliteConnection.ClearAllPools();
        await disk.RemountAsync("ro");
        await using var host = new EngineHost(new SqliteCdpStore(options), DateTimeOffset.UtcNow);
        var refused = Batch("read-only", 10);
        var failure = await Assert.ThrowsAsync<TinyCdpException>(() => host.Cdp.BatchAsync(refused.Messages));
        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, failure.Code);
        Assert.Equal("TinyCdp could not start: The SQLite database file could not be opened.", failure.Message);

        await disk.RemountAsync("rw");
        var deadline = Stopwatch.StartNew();
        var after = Batch("writable", 10);
        while (true)
        {
            try
            {
                Assert.True((await host.Cdp.BatchAsync(after.Messages)).Accepted);
                break;
            }
            catch (TinyCdpException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                // The failed start is tried again at most once a second on the engine's clock.
                host.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(100);
            }
        }

        Assert.Equal(Value.Number(2), await host.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("user-0")));
        await using var check = new SqliteCdpStore(options);
        Assert.Empty(await check.FindKnownMessageIdsAsync(refused.Ids));
        Assert.Equal(10, (await check.FindKnownMessageIdsAsync(after.Ids)).Count);
    }

    private static (string[] Ids, List<CdpMessage> Messages) Batch(string prefix, int size)
    {
        var ids = Enumerable.Range(0, size).Select(i => $"{prefix}-{i}").ToArray();
        var messages = ids.Select((id, i) => CdpMessage.Track($"user-{i % 10}", "purchase",
            Value.Object([KeyValuePair.Create("note", Value.String(Padding))]), messageId: id)).ToList();
        return (ids, messages);
    }
}
