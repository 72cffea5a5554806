// In-process load generator: P producers send N track messages in batches of B to an engine on
// SQLite and wait for every commit; prints throughput. Usage:
//   dotnet run -c Release --project samples/TinyCdp.Samples.LoadGenerator -- [messages] [producers] [batch] [users] [database]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage.Sqlite;

var messages = Arg(0, 50_000);
var producers = Arg(1, 8);
var batchSize = Arg(2, 100);
var users = Arg(3, 1_000);
var database = args.Length > 4 ? args[4] : Path.Combine(Path.GetTempPath(), $"tinycdp-load-{Guid.NewGuid():N}.db");

var services = new ServiceCollection();
services.AddTinyCdp(b => b.UseSqlite($"Data Source={database}").Configure(o => o.MembershipTimer = false));
await using var provider = services.BuildServiceProvider();
var cdp = provider.GetRequiredService<ITinyCdp>();
await cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases_30d", "events.purchase.count_30d"));
await cdp.Definitions.SaveTraitAsync(new TraitDefinition("spent_30d", "events.purchase.sum(amount, 30d)"));
await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "purchases_30d >= 3"));

var properties = Value.ParseJson("{\"amount\": 12.5, \"currency\": \"EUR\"}");
var stopwatch = Stopwatch.StartNew();
var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
{
    var mine = Enumerable.Range(0, messages).Where(i => i % producers == p)
        .Select(i => CdpMessage.Track($"user-{i % users}", "purchase", properties)).ToList();
    foreach (var batch in mine.Chunk(batchSize))
    {
        var result = await cdp.BatchAsync(batch);
        if (!result.Accepted)
        {
            throw new InvalidOperationException(result.Error!.Message);
        }
    }
})).ToArray();
await Task.WhenAll(tasks);
stopwatch.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{messages} messages, {producers} producers, batches of {batchSize}, {users} users: {stopwatch.Elapsed.TotalSeconds:F2} s, {messages / stopwatch.Elapsed.TotalSeconds:F0} messages/s"));

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
