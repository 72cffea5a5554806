using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Testing.Hosting;

namespace TinyCdp.Testing.Differential;

/// <summary>Engine-bug reproductions shared by the in-memory, SQLite and PostgreSQL test projects.</summary>
public static class EngineBugScenarios
{
    /// <summary>A merge in the same commit as an identifier attach survives a restart, on any store; <paramref name="open"/> opens the same data again.</summary>
    public static async Task SameCommitMergeSurvivesRestartAsync(Func<TinyCdp.Storage.ICdpStore> open)
    {
        Guid survivor;
        await using (var host = new EngineHost(open(), EngineHost.Start))
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

        await using var restarted = new EngineHost(open(), EngineHost.Start.AddSeconds(2));
        Assert.Equal(Value.Number(3), await restarted.Cdp.EvaluateTraitAsync("events_x", ProfileReference.ByAnonymousId("a2")));
        Assert.Equal(Value.Number(3), await restarted.Cdp.EvaluateTraitAsync("events_x", ProfileReference.ByUserId("u2")));
        await restarted.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("any", "true"));
        Assert.Equal(survivor, (await restarted.Cdp.DecideAsync("any", ProfileReference.ByAnonymousId("a2")))!.ProfileId);
    }
}
