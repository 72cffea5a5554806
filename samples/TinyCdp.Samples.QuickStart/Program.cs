// TinyCdp quick start: define the seed's traits, segments and flags, send what a few users do,
// and print decisions with their reasons. Runs on a throwaway SQLite file.
using Microsoft.Extensions.DependencyInjection;
using TinyCdp;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Storage.Sqlite;

var database = Path.Combine(Path.GetTempPath(), $"tinycdp-quickstart-{Guid.NewGuid():N}.db");
var services = new ServiceCollection();
services.AddTinyCdp(b => b.UseSqlite($"Data Source={database}"));
await using (var provider = services.BuildServiceProvider())
{
    var cdp = provider.GetRequiredService<ITinyCdp>();

    // The seed's definitions.
    await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("frequent_buyer", "events.purchase.count_30d >= 3")));
    await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("habitual_user", "events.app_open.unique_days_14d >= 5")));
    await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("paying_plan", "profile.plan in [\"premium\", \"enterprise\"]")));
    await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("total_spent", "events.purchase.sum(amount, all)")));
    await Save(cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("vip_users", "frequent_buyer == true && paying_plan == true")));
    await Save(cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("high_value", "total_spent >= 500")));
    await Save(cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("vip_lounge", "segment(\"vip_users\")")));
    await Save(cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("big_spender_offer", "trait(\"total_spent\") >= 500")));

    // What three users did.
    await cdp.IdentifyAsync("alice", Value.ParseJson("""{"plan": "premium", "email": "alice@example.com"}"""));
    foreach (var amount in new[] { 120, 250, 180 })
    {
        await cdp.TrackAsync("alice", "purchase", Value.ParseJson($$"""{"amount": {{amount}}}"""));
    }

    await cdp.IdentifyAsync("bob", Value.ParseJson("""{"plan": "free"}"""));
    await cdp.TrackAsync("bob", "purchase", Value.ParseJson("""{"amount": 40}"""));
    await cdp.TrackAsync("carol", "app_open");

    foreach (var user in new[] { "alice", "bob", "carol", "nobody" })
    {
        foreach (var flag in new[] { "vip_lounge", "big_spender_offer" })
        {
            var decision = await cdp.DecideAsync(flag, ProfileReference.ByUserId(user));
            Console.WriteLine($"{user,-7} {flag,-18} {(decision!.Allow ? "yes" : "no "),-4} {decision.ReasonText,-16} {string.Join("; ", decision.Reasons)}");
        }
    }
}

foreach (var file in new[] { database, database + "-wal", database + "-shm" })
{
    File.Delete(file);
}

static async Task Save(Task<DefinitionResult> save)
{
    var result = await save;
    if (!result.Succeeded)
    {
        throw new InvalidOperationException(result.Error!.Message);
    }
}
