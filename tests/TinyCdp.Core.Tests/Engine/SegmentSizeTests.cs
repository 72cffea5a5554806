using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>A segment's size and history, from the counts the store keeps as the change feed grows.</summary>
public sealed class SegmentSizeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Size_FollowsEntriesDeletionsMergesAndTime_AndEqualsTheMemberCount()
    {
        await using var fixture = new EngineFixture();
        var cdp = fixture.Cdp;
        Assert.True((await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyer", "events.purchase.count_30d >= 1"))).Succeeded);
        Assert.True((await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("nobody", "events.refund.count_30d >= 1"))).Succeeded);

        foreach (var user in new[] { "u1", "u2", "u3" })
        {
            Assert.True((await cdp.TrackAsync(user, "purchase")).Accepted);
        }

        Assert.True((await cdp.BatchAsync([CdpMessage.Track(null, "purchase", anonymousId: "a4")])).Accepted);
        await AssertSizeAsync(cdp, 4);
        Assert.Equal(0, (await cdp.GetSegmentSizesAsync())["nobody"]);

        // u3 is deleted (exit, cause delete); a4 becomes u4 by identify (the same profile: no change).
        Assert.True(await cdp.DeleteProfileAsync(ProfileReference.ByUserId("u3")));
        Assert.True((await cdp.BatchAsync([CdpMessage.Identify("u4", anonymousId: "a4")])).Accepted);
        await AssertSizeAsync(cdp, 3);

        // An anonymous buyer a5 turns out to be u2: the absorbed profile leaves (cause merge), u2 stays.
        Assert.True((await cdp.BatchAsync([CdpMessage.Track(null, "purchase", anonymousId: "a5")])).Accepted);
        await AssertSizeAsync(cdp, 4);
        Assert.True((await cdp.BatchAsync([CdpMessage.Identify("u2", anonymousId: "a5")])).Accepted);
        await AssertSizeAsync(cdp, 3);
        var changes = await cdp.ReadChangesAsync(0, 100);
        Assert.Contains(changes, c => c.Segment == "buyer" && !c.Entered && c.Cause == ChangeCause.Merge);

        // 31 days later every purchase has left the window: the timer records the exits.
        fixture.Clock.Advance(TimeSpan.FromDays(31));
        var deadline = DateTime.UtcNow + Patience;
        while ((await cdp.GetSegmentSizesAsync())["buyer"] != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the timer's exits were not counted");
            await Task.Delay(10);
        }

        await AssertSizeAsync(cdp, 0);
        var history = await cdp.GetSegmentSizeHistoryAsync("buyer");
        var start = new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(start, history[0].Hour);
        Assert.Equal(0, history[^1].Members);
        Assert.Equal(history.Sum(p => p.Entered) - history.Sum(p => p.Exited), history[^1].Members);
        Assert.All(history.Skip(1), p => Assert.True(p.Hour > start));
        Assert.Empty(await cdp.GetSegmentSizeHistoryAsync("no-such-segment"));
    }

    private static async Task AssertSizeAsync(ITinyCdp cdp, long expected)
    {
        Assert.Equal(expected, (await cdp.GetSegmentSizesAsync())["buyer"]);
        Assert.Equal(expected, await CountMembersAsync(cdp));
    }

    private static async Task<long> CountMembersAsync(ITinyCdp cdp)
    {
        long count = 0;
        await foreach (var _ in cdp.ListSegmentMembersAsync("buyer"))
        {
            count++;
        }

        return count;
    }
}
