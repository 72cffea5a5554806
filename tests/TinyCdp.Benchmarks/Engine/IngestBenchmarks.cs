using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage.Sqlite;

namespace TinyCdp.Benchmarks.Engine;

/// <summary>
/// Durable in-process ingest on SQLite: 8 producers each send their share of <see cref="Messages"/>
/// track messages in batches of <see cref="BatchSize"/> (as Segment's libraries do), and every call
/// waits for its commit; with <see cref="BatchSize"/> = 1 each call is one message. Baseline, same run: a
/// raw batched INSERT of the same number of rows into an SQLite table of the same shape, in
/// transactions of 1,000 rows, with the same durability settings (WAL, synchronous=FULL).
/// </summary>
[MemoryDiagnoser]
[IterationCount(5)]
[WarmupCount(1)]
public class IngestBenchmarks
{
    private const int Producers = 8;
    private string _directory = null!;
    private ServiceProvider _services = null!;
    private ITinyCdp _cdp = null!;
    private int _round;

    [Params(8_000)]
    public int Messages { get; set; }

    [Params(1, 100)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tinycdp-ingest-").FullName;
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseSqlite($"Data Source={Path.Combine(_directory, "engine.db")}").Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _cdp = _services.GetRequiredService<ITinyCdp>();

        // A realistic catalog: a few aggregates over the tracked event.
        _cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases_30d", "events.purchase.count_30d")).GetAwaiter().GetResult();
        _cdp.Definitions.SaveTraitAsync(new TraitDefinition("spent_30d", "events.purchase.sum(amount, 30d)")).GetAwaiter().GetResult();
        _cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "purchases_30d >= 3")).GetAwaiter().GetResult();

        using var raw = new SqliteConnection($"Data Source={Path.Combine(_directory, "raw.db")}");
        raw.Open();
        Execute(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute(raw, "CREATE TABLE events (sequence INTEGER PRIMARY KEY, message_id TEXT NOT NULL, profile_id BLOB NOT NULL, kind INTEGER NOT NULL, " +
            "name TEXT NOT NULL, timestamp INTEGER NOT NULL, received_at INTEGER NOT NULL, original_timestamp INTEGER, properties TEXT NOT NULL, traits TEXT)");
        Execute(raw, "CREATE INDEX events_profile ON events (profile_id, sequence)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void RawBatchedInsert()
    {
        var round = Interlocked.Increment(ref _round);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "raw.db")}");
        connection.Open();
        Execute(connection, "PRAGMA synchronous=FULL;");
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO events (message_id, profile_id, kind, name, timestamp, received_at, properties) VALUES ($m, $p, 0, 'purchase', $t, $t, $props)";
        var messageId = command.Parameters.Add("$m", SqliteType.Text);
        var profileId = command.Parameters.Add("$p", SqliteType.Blob);
        var time = command.Parameters.Add("$t", SqliteType.Integer);
        var properties = command.Parameters.Add("$props", SqliteType.Text);
        for (var start = 0; start < Messages; start += 1_000)
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            for (var i = start; i < Math.Min(Messages, start + 1_000); i++)
            {
                messageId.Value = $"raw-{round}-{i}";
                profileId.Value = Guid.CreateVersion7().ToByteArray();
                time.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                properties.Value = "{\"amount\":12.5}";
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    [Benchmark]
    public void EngineDurableIngest()
    {
        var round = Interlocked.Increment(ref _round);
        var properties = Value.ParseJson("{\"amount\": 12.5}");
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var mine = Enumerable.Range(0, Messages).Where(i => i % Producers == p)
                .Select(i => CdpMessage.Track($"user-{round}-{i % 500}", "purchase", properties)).ToList();
            foreach (var batch in mine.Chunk(BatchSize))
            {
                var result = await _cdp.BatchAsync(batch);
                if (!result.Accepted)
                {
                    throw new InvalidOperationException(result.Error!.Message);
                }
            }
        })).ToArray();
        Task.WaitAll(producers);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
