using TinyCdp.Core.Tests.Differential;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Storage.Sqlite.Tests.Differential;

/// <summary>The reproductions of <see cref="EngineBugTests"/> that involve a restart, on SQLite.</summary>
public sealed class SqliteEngineBugTests
{
    /// <summary>See <see cref="EngineBugTests.Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart"/>.</summary>
    [Fact]
    public async Task Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart()
    {
        await using var store = new SqliteDifferentialStore();
        var start = EngineHost.Start;
        Guid survivor;
        await using (var host = new EngineHost(store.Open(), start))
        {
            var cdp = host.Cdp;
            await cdp.Definitions.SaveTraitAsync(new TraitDefinition("events_x", "events.x.count_all"));
            await cdp.SendAsync(CdpMessage.Track(null, "x", anonymousId: "a3"));                  // profile A
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            await cdp.SendAsync(CdpMessage.Track("u2", "x"));                                       // profile B
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var batch = await cdp.BatchAsync([
                CdpMessage.Track("u2", "x", anonymousId: "a2"),                                    // attach a2 to B
                CdpMessage.Alias("a3", "u2"),                                                      // merge B into A
            ]);
            survivor = batch.Items[1].ProfileId;
            Assert.Equal(Value.Number(3), await cdp.EvaluateTraitAsync("events_x", ProfileReference.ByAnonymousId("a2")));
        }

        await using var restarted = new EngineHost(store.Open(), start.AddSeconds(2));
        Assert.Equal(Value.Number(3), await restarted.Cdp.EvaluateTraitAsync("events_x", ProfileReference.ByAnonymousId("a2")));
        Assert.Equal(Value.Number(3), await restarted.Cdp.EvaluateTraitAsync("events_x", ProfileReference.ByUserId("u2")));
        await restarted.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("any", "true"));
        Assert.Equal(survivor, (await restarted.Cdp.DecideAsync("any", ProfileReference.ByAnonymousId("a2")))!.ProfileId);
    }
}
