using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Engine;

public class DefinitionsTests
{
    [Fact]
    public async Task SaveTrait_AfterHistory_IsLiveAtOnceAndBackfillRecordsMemberships()
    {
        await using var fixture = new EngineFixture();
        for (var i = 0; i < 3; i++)
        {
            await fixture.Cdp.TrackAsync($"u{i}", "purchase", Value.ParseJson($"{{\"amount\": {i * 100}}}"));
        }

        var saved = await fixture.Cdp.Definitions.SaveSegmentAsync(new("big_spenders", "events.purchase.sum(amount, 30d) >= 100"));

        Assert.True(saved.Succeeded);
        Assert.True(await fixture.Cdp.IsInSegmentAsync("big_spenders", ProfileReference.ByUserId("u2")));
        await fixture.Cdp.Definitions.WaitForBackfillAsync();
        Assert.Equal(new BackfillStatus("done", 3, 3, saved.Version), fixture.Cdp.Definitions.Backfill);
        var changes = await fixture.Cdp.ReadChangesAsync(0);
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal(ChangeCause.Definition, c.Cause));
        Assert.Equal(["u1", "u2"], changes.Select(c => c.UserId!).Order());
    }

    [Fact]
    public async Task SaveTrait_ProfilesOnlyInTheStore_BackfillWritesEveryProfilesValuePageByPage()
    {
        var store = new InMemoryCdpStore();
        await using (var first = new EngineFixture(new NonDisposingStore(store)))
        {
            for (var i = 0; i < 7; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    await first.Cdp.TrackAsync($"u{i}", "purchase", Value.ParseJson($"{{\"amount\": {j}}}"));
                }
            }
        }

        // A fresh engine: no profile in memory, pages of two read ahead of the writer.
        await using var fixture = new EngineFixture(new NonDisposingStore(store), o => o.BackfillBatchSize = 2);
        var saved = await fixture.Cdp.Definitions.SaveTraitAsync(new("spent", "events.purchase.sum(amount, 30d)"));
        await fixture.Cdp.Definitions.WaitForBackfillAsync();

        Assert.Equal(new BackfillStatus("done", 7, 7, saved.Version), fixture.Cdp.Definitions.Backfill);
        for (var i = 0; i < 7; i++)
        {
            var owner = (await store.FindProfilesAsync([new Identifier(IdentifierKind.UserId, $"u{i}")])).Values.Single();
            var stored = (await store.GetTraitValuesAsync(owner)).Single(v => v.Trait == "spent");
            Assert.Equal($"{i * (i + 1) / 2}", stored.ValueJson);
            Assert.Equal(EngineFixture.Start, stored.UpdatedAt);
        }
    }

    [Fact]
    public async Task Save_InvalidExpression_IsRejectedWithSpanAndChangesNothing()
    {
        await using var fixture = new EngineFixture();

        var result = await fixture.Cdp.Definitions.SaveTraitAsync(new("broken", "events.purchase.count_30d >= "));

        Assert.False(result.Succeeded);
        Assert.Equal(TinyCdpErrorCode.InvalidArgument, result.Code);
        Assert.Equal("expression", result.Error!.Field);
        Assert.Equal(new TextSpan(29, 29), result.Error.Expression!.Span);
        Assert.Equal(0, result.Version);
        Assert.Empty(fixture.Cdp.Definitions.Catalog.Traits);
    }

    [Fact]
    public async Task Save_CreateExisting_IsAlreadyExists_AndUpdateMissingIsNotFound()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "1"), SaveMode.Create);

        var duplicate = await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "2"), SaveMode.Create);
        var missing = await fixture.Cdp.Definitions.SaveTraitAsync(new("b", "2"), SaveMode.Update);

        Assert.Equal(TinyCdpErrorCode.AlreadyExists, duplicate.Code);
        Assert.Equal("trait 'a' already exists", duplicate.Error!.Message);
        Assert.Equal(TinyCdpErrorCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task Delete_Referenced_IsRefusedWithDependents()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("total_spent", "events.purchase.sum(amount, all)"));
        await fixture.Cdp.Definitions.SaveSegmentAsync(new("high_value", "total_spent >= 500"));
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("vip", "segment(\"high_value\") && trait(\"total_spent\") > 1"));

        var refused = await fixture.Cdp.Definitions.DeleteAsync(DefinitionKind.Trait, "total_spent");

        Assert.Equal(TinyCdpErrorCode.Conflict, refused.Code);
        Assert.Equal(["segment high_value", "flag vip"], refused.Error!.Dependents);
        Assert.True((await fixture.Cdp.Definitions.DeleteAsync(DefinitionKind.Flag, "vip")).Succeeded);
        Assert.True((await fixture.Cdp.Definitions.DeleteAsync(DefinitionKind.Segment, "high_value")).Succeeded);
        Assert.True((await fixture.Cdp.Definitions.DeleteAsync(DefinitionKind.Trait, "total_spent")).Succeeded);
    }

    [Fact]
    public async Task Save_Cycle_IsRejectedNamingThePath()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "1"));
        await fixture.Cdp.Definitions.SaveTraitAsync(new("b", "a + 1"));

        var result = await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "b + 1"));

        Assert.False(result.Succeeded);
        Assert.Equal("reference cycle: a -> b -> a", result.Error!.Message);
    }

    [Fact]
    public async Task Changes_BumpTheVersionAndAreKeptInHistory()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "1"), actor: "alice");
        await fixture.Cdp.Definitions.SaveTraitAsync(new("a", "2"), actor: "bob");
        await fixture.Cdp.Definitions.DeleteAsync(DefinitionKind.Trait, "a", actor: "carol");

        var history = await fixture.Cdp.Definitions.GetHistoryAsync();

        Assert.Equal(3, fixture.Cdp.Definitions.Catalog.Version);
        Assert.Equal([3L, 2L, 1L], history.Select(h => h.Version));
        Assert.Equal(["carol", "bob", "alice"], history.Select(h => h.Actor!));
        Assert.Null(history[2].BeforeJson);
        Assert.Equal(history[1].AfterJson, history[0].BeforeJson);
        Assert.Null(history[0].AfterJson);
        Assert.Contains("\"expression\":\"2\"", history[1].AfterJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_KeyThatIsABuiltInName_IsRejected()
    {
        await using var fixture = new EngineFixture();

        var result = await fixture.Cdp.Definitions.SaveTraitAsync(new("last_seen_days_ago", "1"));

        Assert.Equal("key 'last_seen_days_ago' is a reserved word or a built-in name", result.Error!.Message);
    }

    [Fact]
    public async Task Save_WindowLongerThanRetention_IsRejected()
    {
        await using var fixture = new EngineFixture(configure: o => o.Retention = TimeSpan.FromDays(30));

        var result = await fixture.Cdp.Definitions.SaveTraitAsync(new("q", "events.a.count_90d"));

        Assert.Equal("Window error (line 1, column 1): the window 90d is longer than the event retention (30d).", result.Error!.Message);
    }

    [Fact]
    public async Task ListSegmentMembers_StreamsStoredMembersWithUserIds()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveSegmentAsync(new("buyers", "events.purchase.count_all >= 1"));
        await fixture.Cdp.TrackAsync("u1", "purchase");
        await fixture.Cdp.TrackAsync("u2", "signup");
        await fixture.Cdp.SendAsync(TinyCdp.Ingestion.CdpMessage.Track(null, "purchase", anonymousId: "a3"));

        var members = new List<SegmentMember>();
        await foreach (var member in fixture.Cdp.ListSegmentMembersAsync("buyers"))
        {
            members.Add(member);
        }

        Assert.Equal(2, members.Count);
        Assert.Equal(["u1"], members.Select(m => m.UserId).OfType<string>());
        Assert.All(members, m => Assert.Equal(EngineFixture.Start, m.Since));
        Assert.Equal(members.OrderBy(m => m.ProfileId).Select(m => m.ProfileId), members.Select(m => m.ProfileId));
        await foreach (var _ in fixture.Cdp.ListSegmentMembersAsync("no_such_segment"))
        {
            Assert.Fail("an unknown segment has no members");
        }
    }
}
