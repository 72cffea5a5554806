using TinyCdp.Definitions;
using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>A draft expression previewed over a random sample of stored profiles: exact counts, the save's errors, no writes, no cache.</summary>
public sealed class PreviewTests
{
    /// <summary>u0..u29; the 12 with i % 5 &lt; 2 bought something and have plan "pro"; the trait purchases counts purchases.</summary>
    private static async Task SeedAsync(ITinyCdp cdp)
    {
        Assert.True((await cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);
        var messages = new List<CdpMessage>();
        for (var i = 0; i < 30; i++)
        {
            messages.Add(CdpMessage.Track($"u{i}", "view"));
            if (Buyer(i))
            {
                messages.Add(CdpMessage.Track($"u{i}", "purchase"));
                messages.Add(CdpMessage.Identify($"u{i}", Value.ParseJson("""{"plan":"pro"}""")));
            }
        }

        Assert.True((await cdp.BatchAsync(messages)).Accepted);
        await cdp.Definitions.WaitForBackfillAsync();
    }

    private static bool Buyer(int i) => i % 5 < 2;

    private static HashSet<string> Buyers => [.. Enumerable.Range(0, 30).Where(Buyer).Select(i => $"u{i}")];

    [Fact]
    public async Task ASegmentDraft_OverASampleLargerThanTheProfiles_CountsEveryProfile()
    {
        await using var fixture = new EngineFixture(timer: false);
        await SeedAsync(fixture.Cdp);

        var preview = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "purchases >= 1", 50);

        Assert.True(preview.Compiled);
        Assert.Null(preview.Error);
        Assert.Equal(ExprType.Bool, preview.ResultType);
        Assert.Equal(30, preview.Sampled);
        Assert.Equal(12, preview.Matched);
        Assert.Equal(10, preview.Matches.Count);
        Assert.Equal(10, preview.Matches.Select(m => m.ProfileId).Distinct().Count());
        Assert.All(preview.Matches, match =>
        {
            Assert.Contains(match.UserId!, Buyers);
            Assert.Equal(Value.True, match.Value);
        });
    }

    [Fact]
    public async Task ADraft_OverASmallerSample_EvaluatesThatMany()
    {
        await using var fixture = new EngineFixture(timer: false);
        await SeedAsync(fixture.Cdp);

        var preview = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "purchases >= 1", 10);

        Assert.Equal(10, preview.Sampled);
        Assert.InRange(preview.Matched, 0, 10);
        Assert.Equal(Math.Min(preview.Matched, 10), preview.Matches.Count);
        Assert.All(preview.Matches, match => Assert.Contains(match.UserId!, Buyers));
    }

    [Fact]
    public async Task ATraitDraft_MatchesTheProfilesWhereItIsNotNull_WithTheirValues()
    {
        await using var fixture = new EngineFixture(timer: false);
        await SeedAsync(fixture.Cdp);

        var plan = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Trait, "profile.plan");
        var count = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Trait, "events.view.count_all + purchases");

        Assert.Equal((30, 12), (plan.Sampled, plan.Matched));
        Assert.All(plan.Matches, match => Assert.Equal(Value.String("pro"), match.Value));
        Assert.Equal(ExprType.Number, count.ResultType);
        Assert.Equal((30, 30), (count.Sampled, count.Matched));
        Assert.All(count.Matches, match => Assert.Equal(Value.Number(Buyers.Contains(match.UserId!) ? 2 : 1), match.Value));
    }

    [Fact]
    public async Task AFlagRuleDraft_SeesNoContext()
    {
        await using var fixture = new EngineFixture(timer: false);
        await SeedAsync(fixture.Cdp);

        var preview = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Flag, """context.country == "NZ" or events.purchase.count_all > 0""");

        Assert.Equal((30, 12), (preview.Sampled, preview.Matched));
    }

    [Fact]
    public async Task ADraftASaveWouldRefuse_ReturnsTheSavesError_AndSamplesNothing()
    {
        await using var fixture = new EngineFixture(timer: false);
        await SeedAsync(fixture.Cdp);

        var preview = await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "purchses >= 1");
        var saved = await fixture.Cdp.Definitions.SaveSegmentAsync(new("buyers", "purchses >= 1"));

        Assert.False(preview.Compiled);
        Assert.Equal("Name error (line 1, column 1): unknown name 'purchses'; did you mean 'purchases'?", preview.Error!.Message);
        Assert.Equal(saved.Error!.Expression, preview.Error);
        Assert.Null(preview.ResultType);
        Assert.Equal((0, 0), (preview.Sampled, preview.Matched));
        Assert.Empty(preview.Matches);
        Assert.False((await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "purchases + 1")).Compiled);
    }

    [Fact]
    public async Task APreview_WritesNothing_AndLeavesColdProfilesCold()
    {
        var store = new InMemoryCdpStore();
        await using (var first = new EngineFixture(new NonDisposingStore(store), timer: false))
        {
            await SeedAsync(first.Cdp);
        }

        var sequence = await store.GetLastSequenceAsync();
        var changes = (await store.ReadChangesAsync(0, 1000)).Count;
        await using var restarted = new EngineFixture(new NonDisposingStore(store), timer: false);
        var engine = (CdpEngine)restarted.Cdp;
        var version = (await restarted.Cdp.Definitions.GetHistoryAsync()).Count;

        var preview = await restarted.Cdp.Definitions.PreviewAsync(DefinitionKind.Segment, "events.purchase.count_all >= 1 and purchases >= 1");

        Assert.Equal((30, 12), (preview.Sampled, preview.Matched));
        var ids = await store.ListProfileIdsAsync(null, 100);
        Assert.Equal(30, ids.Count);
        Assert.All(ids, id => Assert.False(engine.Cache.TryGet(id, out var entry) && entry.Snapshot is not null));
        Assert.Equal(sequence, await store.GetLastSequenceAsync());
        Assert.Equal(changes, (await store.ReadChangesAsync(0, 1000)).Count);
        Assert.Equal(version, (await restarted.Cdp.Definitions.GetHistoryAsync()).Count);
        Assert.Single(restarted.Cdp.Definitions.Catalog.Definitions.Traits);
        Assert.Empty(restarted.Cdp.Definitions.Catalog.Definitions.Segments);
    }

    [Fact]
    public async Task ASampleSizeOutOfRange_IsRefused()
    {
        await using var fixture = new EngineFixture(timer: false);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Trait, "1", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Trait, "1", 10_001));
        Assert.Equal((0, 0), ((await fixture.Cdp.Definitions.PreviewAsync(DefinitionKind.Trait, "1")).Sampled, 0));
    }
}
