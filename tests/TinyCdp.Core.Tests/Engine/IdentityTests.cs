using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Engine;

public class IdentityTests
{
    [Fact]
    public async Task Identify_LinksAnonymousHistoryToTheUser()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("views", "events[\"$page\"].count_all"));
        await fixture.Cdp.SendAsync(new CdpMessage { Kind = MessageKind.Page, AnonymousId = "device-1", Event = "Home" });

        await fixture.Cdp.SendAsync(CdpMessage.Identify("u1", anonymousId: "device-1"));

        Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("views", ProfileReference.ByUserId("u1")));
        var profile = await fixture.Cdp.GetProfileAsync(ProfileReference.ByAnonymousId("device-1"));
        Assert.Equal(2, profile!.Identifiers.Count);
    }

    [Fact]
    public async Task Identify_JoiningTwoProfiles_MergesIntoTheOldestAndJournalsIt()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        await fixture.Cdp.SendAsync(CdpMessage.Track(null, "purchase", anonymousId: "a1"));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.Cdp.SendAsync(CdpMessage.Track("u1", "purchase"));
        var oldest = (await fixture.Cdp.GetProfileAsync(ProfileReference.ByAnonymousId("a1")))!.Id;
        var newer = (await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1")))!.Id;

        await fixture.Cdp.SendAsync(CdpMessage.Identify("u1", anonymousId: "a1", messageId: "join"));

        var merged = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        Assert.Equal(oldest, merged!.Id);
        Assert.Equal(Value.Number(2), await fixture.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByAnonymousId("a1")));
        var merge = Assert.Single(merged.Merges);
        Assert.Equal((oldest, newer, "join"), (merge.Survivor, merge.Absorbed, merge.MessageId));
        Assert.Equal(oldest, (await fixture.Cdp.GetProfileAsync(ProfileReference.ByProfileId(newer)))!.Id);
    }

    [Fact]
    public async Task Identify_SharedAnonymousIdOfAnotherUser_DropsItInsteadOfMergingTwoUserIds()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.SendAsync(CdpMessage.Identify("alice", anonymousId: "shared-tablet"));

        await fixture.Cdp.SendAsync(CdpMessage.Identify("bob", anonymousId: "shared-tablet"));

        var alice = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("alice"));
        var bob = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("bob"));
        Assert.NotEqual(alice!.Id, bob!.Id);
        Assert.Contains(new Identifier(IdentifierKind.AnonymousId, "shared-tablet"), alice.Identifiers);
        Assert.Equal([new Identifier(IdentifierKind.UserId, "bob")], bob.Identifiers);
    }

    [Fact]
    public async Task Identify_Email_IsMatchedByHashAndKeptAsProperty()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.SendAsync(CdpMessage.Identify(null, Value.ParseJson("{\"email\": \" Alice@Example.com \"}"), anonymousId: "a1"));

        await fixture.Cdp.SendAsync(CdpMessage.Identify("u1", Value.ParseJson("{\"email\": \"alice@example.com\"}")));

        var profile = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        Assert.Contains(new Identifier(IdentifierKind.AnonymousId, "a1"), profile!.Identifiers);
        Assert.Contains(new Identifier(IdentifierKind.EmailHash, IdentifierRules.EmailHash("alice@example.com")), profile.Identifiers);
        Assert.Equal(Value.String("alice@example.com"), profile.Properties.Member("email"));
    }

    [Fact]
    public async Task Alias_PreviousAnonymousId_MergesIntoTheUser()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        await fixture.Cdp.SendAsync(CdpMessage.Track(null, "purchase", anonymousId: "a1"));
        await fixture.Cdp.SendAsync(CdpMessage.Track("u1", "purchase"));

        await fixture.Cdp.AliasAsync("a1", "u1");

        Assert.Equal(Value.Number(2), await fixture.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
        Assert.Equal(
            (await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1")))!.Id,
            (await fixture.Cdp.GetProfileAsync(ProfileReference.ByAnonymousId("a1")))!.Id);
    }

    [Fact]
    public async Task Alias_BetweenTwoUserIds_IsRefusedByTheGuard()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.TrackAsync("u1", "purchase");
        await fixture.Cdp.TrackAsync("u2", "purchase");

        await fixture.Cdp.AliasAsync("u1", "u2");

        Assert.NotEqual(
            (await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1")))!.Id,
            (await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u2")))!.Id);
    }

    [Fact]
    public async Task Merge_MembershipChanges_AreEmittedWithCauseMerge()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveSegmentAsync(new("two_purchases", "events.purchase.count_all >= 2"));
        await fixture.Cdp.SendAsync(CdpMessage.Track(null, "purchase", anonymousId: "a1"));
        await fixture.Cdp.SendAsync(CdpMessage.Track("u1", "purchase"));

        await fixture.Cdp.SendAsync(CdpMessage.Identify("u1", anonymousId: "a1"));

        var change = Assert.Single(await fixture.Cdp.ReadChangesAsync(0));
        Assert.True(change.Entered);
        Assert.Equal(ChangeCause.Merge, change.Cause);
        Assert.Equal("u1", change.UserId);
    }
}
