using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Engine;

public class IngestionTests
{
    private static ProfileReference User(string id) => ProfileReference.ByUserId(id);

    [Fact]
    public async Task Send_SameMessageIdTwice_SecondIsAcknowledgedAsDuplicateAndIgnored()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        var message = CdpMessage.Track("u1", "purchase", messageId: "m-1");

        var first = await fixture.Cdp.SendAsync(message);
        var second = await fixture.Cdp.SendAsync(message);

        Assert.False(first.Items[0].Duplicate);
        Assert.True(second.Items[0].Duplicate);
        Assert.Equal("m-1", second.Items[0].MessageId);
        Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
    }

    [Fact]
    public async Task Batch_WithDuplicateInsideIt_StoresTheFirstOnly()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));

        var result = await fixture.Cdp.BatchAsync([CdpMessage.Track("u1", "purchase", messageId: "a"), CdpMessage.Track("u1", "purchase", messageId: "a")]);

        Assert.Equal(1, result.Stored);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
    }

    [Fact]
    public async Task Batch_OneInvalidItem_RejectsAllWithTheItemIndexAndStoresNothing()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));

        var result = await fixture.Cdp.BatchAsync([CdpMessage.Track("u1", "purchase"), CdpMessage.Track("u1", "$reserved")]);

        Assert.False(result.Accepted);
        Assert.Equal(1, result.Error!.Index);
        Assert.StartsWith("batch[1]", result.Error.Field, StringComparison.Ordinal);
        Assert.Empty(result.Items);
        Assert.Equal(Value.Number(0), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
        Assert.Null(await fixture.Cdp.GetProfileAsync(User("u1")));
    }

    [Fact]
    public async Task Track_WithoutAnyIdentifier_IsRejectedNamingTheField()
    {
        await using var fixture = new EngineFixture();

        var result = await fixture.Cdp.SendAsync(CdpMessage.Track(null, "purchase"));

        Assert.False(result.Accepted);
        Assert.Equal(MessageErrorKind.Invalid, result.Error!.Kind);
    }

    [Fact]
    public async Task LateEvent_IsPlacedByEventTime()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("first_plan", "events.purchase.first(plan)"));
        await fixture.Cdp.Definitions.SaveTraitAsync(new("last_plan", "events.purchase.last(plan)"));
        await fixture.Cdp.Definitions.SaveTraitAsync(new("week", "events.purchase.count_7d"));
        var now = EngineFixture.Start;

        await fixture.Cdp.TrackAsync("u1", "purchase", Value.ParseJson("{\"plan\": \"pro\"}"), now.AddHours(-1));
        await fixture.Cdp.TrackAsync("u1", "purchase", Value.ParseJson("{\"plan\": \"free\"}"), now.AddDays(-3));
        await fixture.Cdp.TrackAsync("u1", "purchase", Value.ParseJson("{\"plan\": \"old\"}"), now.AddDays(-8));

        Assert.Equal(Value.String("old"), await fixture.Cdp.EvaluateTraitAsync("first_plan", User("u1")));
        Assert.Equal(Value.String("pro"), await fixture.Cdp.EvaluateTraitAsync("last_plan", User("u1")));
        Assert.Equal(Value.Number(2), await fixture.Cdp.EvaluateTraitAsync("week", User("u1")));
    }

    [Fact]
    public async Task SentAt_RemovesDeviceClockSkew_AndFarFutureIsClamped()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("last_hours", "events.purchase.last_seen_minutes_ago"));
        var now = EngineFixture.Start;

        // The device clock runs 2 hours fast: it says the event happened at now+1h and was sent at now+2h.
        await fixture.Cdp.SendAsync(CdpMessage.Track("u1", "purchase", timestamp: now.AddHours(1)) with { SentAt = now.AddHours(2) });
        Assert.Equal(Value.Number(60), await fixture.Cdp.EvaluateTraitAsync("last_hours", User("u1")));

        await fixture.Cdp.SendAsync(CdpMessage.Track("u2", "purchase", timestamp: now.AddHours(3)));
        Assert.Equal(Value.Number(0), await fixture.Cdp.EvaluateTraitAsync("last_hours", User("u2")));
    }

    [Fact]
    public async Task Identify_OlderLateArrival_DoesNotOverwriteNewerProperty()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("plan", "profile.plan"));
        var now = EngineFixture.Start;

        await fixture.Cdp.IdentifyAsync("u1", Value.ParseJson("{\"plan\": \"pro\", \"country\": \"DE\"}"), now.AddMinutes(-1));
        await fixture.Cdp.IdentifyAsync("u1", Value.ParseJson("{\"plan\": \"free\", \"age\": 40}"), now.AddDays(-1));

        Assert.Equal(Value.String("pro"), await fixture.Cdp.EvaluateTraitAsync("plan", User("u1")));
        var profile = await fixture.Cdp.GetProfileAsync(User("u1"));
        Assert.Equal(Value.ParseJson("{\"plan\": \"pro\", \"country\": \"DE\", \"age\": 40}"), profile!.Properties);
    }

    [Fact]
    public async Task AsOf_SeesOnlyMessagesUpToThatInstant_PropertiesIncluded()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        await fixture.Cdp.Definitions.SaveTraitAsync(new("plan", "profile.plan"));
        var now = EngineFixture.Start;
        await fixture.Cdp.IdentifyAsync("u1", Value.ParseJson("{\"plan\": \"free\"}"), now.AddDays(-10));
        await fixture.Cdp.TrackAsync("u1", "purchase", timestamp: now.AddDays(-9));
        await fixture.Cdp.IdentifyAsync("u1", Value.ParseJson("{\"plan\": \"pro\"}"), now.AddDays(-2));
        await fixture.Cdp.TrackAsync("u1", "purchase", timestamp: now.AddDays(-1));

        Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1"), now.AddDays(-5)));
        Assert.Equal(Value.String("free"), await fixture.Cdp.EvaluateTraitAsync("plan", User("u1"), now.AddDays(-5)));
        Assert.Equal(Value.Number(2), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
        Assert.Equal(Value.String("pro"), await fixture.Cdp.EvaluateTraitAsync("plan", User("u1")));
        Assert.Null((await fixture.Cdp.EvaluateTraitAsync("plan", User("u1"), now.AddDays(-11))).AsString);
    }

    [Fact]
    public async Task DeleteProfile_WithSuppression_RemovesEverythingAndDropsLaterMessages()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveSegmentAsync(new("buyers", "events.purchase.count_all >= 1"));
        await fixture.Cdp.TrackAsync("u1", "purchase");

        Assert.True(await fixture.Cdp.DeleteProfileAsync(User("u1"), suppressIdentifiers: true));

        Assert.Null(await fixture.Cdp.GetProfileAsync(User("u1")));
        var changes = await fixture.Cdp.ReadChangesAsync(0);
        Assert.Equal([(true, ChangeCause.Event), (false, ChangeCause.Delete)], changes.Select(c => (c.Entered, c.Cause)));
        var later = await fixture.Cdp.TrackAsync("u1", "purchase");
        Assert.True(later.Items[0].Suppressed);
        Assert.Null(await fixture.Cdp.GetProfileAsync(User("u1")));
        Assert.False(await fixture.Cdp.DeleteProfileAsync(User("u1")));
    }

    [Fact]
    public async Task JunkIdentifiers_AreIgnored()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.SendAsync(CdpMessage.Track("real", "purchase", anonymousId: "undefined"));
        await fixture.Cdp.SendAsync(CdpMessage.Track("other", "purchase", anonymousId: "undefined"));

        var real = await fixture.Cdp.GetProfileAsync(User("real"));
        var other = await fixture.Cdp.GetProfileAsync(User("other"));

        Assert.NotEqual(real!.Id, other!.Id);
        Assert.Equal([new Identifier(IdentifierKind.UserId, "real")], real.Identifiers);
    }
}
