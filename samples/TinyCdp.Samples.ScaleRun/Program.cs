// The scale run (docs/benchmarks.md "Scale"): P profiles with E events each ingested on SQLite
// in-process, then, on a freshly started engine over the same file: cold-profile decide p50/p99,
// resident memory per hot profile, and the time a new trait's backfill takes over every profile.
// Usage (scripts/scale-run.sh runs the full size):
//   dotnet run -c Release --project samples/TinyCdp.Samples.ScaleRun -- [profiles] [eventsPerProfile] [database]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage.Sqlite;

var profiles = Arg(0, 1_000_000);
var eventsPerProfile = Arg(1, 50);
var database = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"tinycdp-scale-{profiles}x{eventsPerProfile}.db");
const int Producers = 8;
const int BatchSize = 500;
const int BlockProfiles = 100_000;
var start = DateTimeOffset.UtcNow;
Report($"scale run: {profiles:N0} profiles x {eventsPerProfile} events = {(long)profiles * eventsPerProfile:N0} events into {database}; nproc {Environment.ProcessorCount}");

// 1. Ingest (skipped when the database already holds the data: re-run the later phases alone).
var existing = File.Exists(database);
if (!existing)
{
    await using var ingest = Engine(database);
    var cdp = ingest.GetRequiredService<ITinyCdp>();
    await Save(cdp, new TraitDefinition("purchases_30d", "events.purchase.count_30d"));
    await Save(cdp, new TraitDefinition("spent_30d", "events.purchase.sum(amount, 30d)"));
    await Save(cdp, new SegmentDefinition("buyers", "purchases_30d >= 3"));
    await Save(cdp, FlagDefinition.FromRule("offer", "segment(\"buyers\") && spent_30d > 100"));

    // Events spread over the last 60 days. Profiles are written in blocks that fit the engine's profile
    // cache (ProfileCacheCapacity, 100,000 by default), each block's events interleaved across its
    // profiles: writes spread uniformly over more profiles than the cache holds would make nearly every
    // event a cold load on the writer (measured: 1M profiles fell to ~2,500 events/s).
    var total = (long)profiles * eventsPerProfile;
    var block = (long)Math.Min(profiles, BlockProfiles);
    var blockEvents = block * eventsPerProfile;
    if (profiles % block != 0)
    {
        throw new ArgumentException($"The number of profiles must be a multiple of {block:N0}.");
    }
    var sent = 0L;
    var clock = Stopwatch.StartNew();
    var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
    {
        var batch = new List<CdpMessage>(BatchSize);
        for (var i = (long)p; i < total; i += Producers)
        {
            var user = (i / blockEvents * block) + (i % blockEvents % block);
            var at = start.AddMinutes(-(double)(i % 86_400));
            batch.Add(CdpMessage.Track($"user-{user}", "purchase",
                Value.Object([KeyValuePair.Create("amount", Value.Number((i % 50) + 1))]), at, messageId: $"s-{i}"));
            if (batch.Count == BatchSize)
            {
                await Send(cdp, batch);
                if (Interlocked.Add(ref sent, BatchSize) % 1_000_000 < BatchSize)
                {
                    Report($"  {sent:N0} events, {sent / clock.Elapsed.TotalSeconds:N0}/s");
                }
            }
        }

        await Send(cdp, batch);
    })).ToArray();
    await Task.WhenAll(producers);
    Report($"ingest: {total:N0} events in {clock.Elapsed.TotalMinutes:F1} min = {total / clock.Elapsed.TotalSeconds:N0} events/s (8 producers, batches of {BatchSize}, blocks of {block:N0} profiles, durable commits)");
}

Report($"database: {new FileInfo(database).Length / 1024.0 / 1024 / 1024:F2} GiB (+ WAL {WalSize(database)})");

// 2. Cold decides on a fresh engine: each profile asked for is not in memory yet.
await using (var fresh = Engine(database))
{
    var cdp = fresh.GetRequiredService<ITinyCdp>();
    // Warm-up (JIT, pools) on 1,000 odd-numbered users; then 2,000 distinct even-numbered ones, none in memory.
    var random = new Random(7);
    for (var i = 0; i < 1_000; i++)
    {
        await cdp.DecideAsync("offer", ProfileReference.ByUserId($"user-{(2 * random.Next(profiles / 2)) + 1}"));
    }

    var cold = new HashSet<int>();
    while (cold.Count < 2_000)
    {
        cold.Add(2 * random.Next(profiles / 2));
    }

    var latencies = new List<double>();
    var decideCpu = Environment.CpuUsage.TotalTime;
    var decideRead = StorageReadBytes();
    foreach (var n in cold)
    {
        var user = $"user-{n}";
        var began = Stopwatch.GetTimestamp();
        _ = await cdp.DecideAsync("offer", ProfileReference.ByUserId(user)) ?? throw new InvalidOperationException("no decision");
        latencies.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
    }

    latencies.Sort();
    Report($"cold decide over 2,000 random profiles (after 1,000 others to warm up): p50 {latencies[1_000]:F2} ms, p99 {latencies[1_980]:F2} ms, max {latencies[^1]:F2} ms, process CPU {(Environment.CpuUsage.TotalTime - decideCpu).TotalMilliseconds / 2_000:F2} ms and {(StorageReadBytes() - decideRead) / 2_000.0 / 1024:F0} KiB read from storage per decide; load {LoadAverage()}");

    // 3. Memory per hot profile: resident heap before and after 20,000 more profiles are loaded.
    var before = Heap();
    for (var i = 0; i < 20_000; i++)
    {
        await cdp.DecideAsync("offer", ProfileReference.ByUserId($"user-{(i * 37) % profiles}"));
    }

    var after = Heap();
    Report($"memory per hot profile ({eventsPerProfile} events, 2 traits, 1 segment): {(after - before) / 20_000.0 / 1024:F1} KiB (managed heap after a full collection)");

    // 4. Backfill of a new trait over every profile. A key of its own each run, so that every profile
    // gets a value row written (as for a trait never seen before) however often the run is repeated;
    // deleted afterwards so the catalog stays the same size from run to run.
    var trait = $"purchases_7d_r{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
    var clock = Stopwatch.StartNew();
    var backfillCpu = Environment.CpuUsage.TotalTime;
    var (gen0, gen1, gen2, paused, allocated) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
    await Save(cdp, new TraitDefinition(trait, "events.purchase.count_7d"));
    await cdp.Definitions.WaitForBackfillAsync();
    var backfill = cdp.Definitions.Backfill;
    Report($"backfill of a new trait over {backfill.Done:N0} profiles: {clock.Elapsed.TotalSeconds:F1} s = {backfill.Done / clock.Elapsed.TotalSeconds:N0} profiles/s ({backfill.State}), process CPU {(Environment.CpuUsage.TotalTime - backfillCpu).TotalSeconds:F1} s; load {LoadAverage()}");
    Report($"  backfill GC: {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} collections (gen 0/1/2), paused {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F1} s, allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / 1024 / 1024:F1} GiB");
    var deleted = await cdp.Definitions.DeleteAsync(DefinitionKind.Trait, trait);
    if (!deleted.Succeeded)
    {
        throw new InvalidOperationException(deleted.Error!.Message);
    }

    // 5. The console's preview of a draft segment over a random sample of 10,000 stored profiles (issue 12: <= 2 s).
    for (var run = 0; run < 3; run++)
    {
        var previewed = Stopwatch.StartNew();
        var preview = await cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "events.purchase.count_30d >= 2 and events.purchase.sum(amount, 7d) > 20");
        Report($"preview of a draft segment: would match {preview.Matched:N0} of the {preview.Sampled:N0} sampled, {previewed.Elapsed.TotalSeconds:F2} s; load {LoadAverage()}");
    }
}

static ServiceProvider Engine(string database)
{
    var services = new ServiceCollection();
    services.AddTinyCdp(b => b.UseSqlite($"Data Source={database}").Configure(o =>
    {
        o.MembershipTimer = false;

        // SCALE_BACKFILL_BATCH tries another page size (profiles per backfill step).
        if (int.TryParse(Environment.GetEnvironmentVariable("SCALE_BACKFILL_BATCH"), CultureInfo.InvariantCulture, out var batch))
        {
            o.BackfillBatchSize = batch;
        }
    }));
    return services.BuildServiceProvider();
}

static async Task Save(ITinyCdp cdp, object definition)
{
    var result = definition switch
    {
        TraitDefinition t => await cdp.Definitions.SaveTraitAsync(t),
        SegmentDefinition s => await cdp.Definitions.SaveSegmentAsync(s),
        FlagDefinition f => await cdp.Definitions.SaveFlagAsync(f),
        _ => throw new ArgumentException("unknown definition"),
    };
    if (!result.Succeeded)
    {
        throw new InvalidOperationException(result.Error!.Message);
    }
}

static async Task Send(ITinyCdp cdp, List<CdpMessage> batch)
{
    if (batch.Count == 0)
    {
        return;
    }

    var result = await cdp.BatchAsync([.. batch]);
    if (!result.Accepted)
    {
        throw new InvalidOperationException(result.Error!.Message);
    }

    batch.Clear();
}

static long Heap()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: true);
}

// Bytes this process caused to be read from the storage device (not from the OS page cache): /proc/self/io.
static long StorageReadBytes()
{
    const string Prefix = "read_bytes:";
    var line = File.Exists("/proc/self/io") ? File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal)) : null;
    return line is null ? 0 : long.Parse(line.AsSpan(Prefix.Length).Trim(), CultureInfo.InvariantCulture);
}

static string WalSize(string database) =>
    File.Exists(database + "-wal") ? $"{new FileInfo(database + "-wal").Length / 1024.0 / 1024:F0} MiB" : "none";

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";

static void Report(string line) =>
    Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}");

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
