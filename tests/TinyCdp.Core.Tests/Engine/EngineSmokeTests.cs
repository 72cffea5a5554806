using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Engine;

public class EngineSmokeTests
{
    [Fact]
    public async Task Decide_FlagOverSegmentOverTrait_FollowsTracks()
    {
        await using var fixture = new EngineFixture();
        var cdp = fixture.Cdp;
        Assert.True((await cdp.Definitions.SaveTraitAsync(new TraitDefinition("frequent_buyer", "events.purchase.count_30d >= 3"))).Succeeded);
        Assert.True((await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("vip_users", "frequent_buyer == true"))).Succeeded);
        Assert.True((await cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("beta", "segment(\"vip_users\")"))).Succeeded);

        for (var i = 0; i < 2; i++)
        {
            Assert.True((await cdp.TrackAsync("u1", "purchase", Value.ParseJson("{\"amount\": 10}"))).Accepted);
        }

        var before = await cdp.DecideAsync("beta", ProfileReference.ByUserId("u1"));
        Assert.False(before!.Allow);
        Assert.Equal("DEFAULT", before.ReasonText);

        await cdp.TrackAsync("u1", "purchase");
        var after = await cdp.DecideAsync("beta", ProfileReference.ByUserId("u1"));

        Assert.True(after!.Allow);
        Assert.Equal("on", after.Variant);
        Assert.Equal("TARGETING_MATCH", after.ReasonText);
        Assert.Equal(["segment(vip_users) = true", "final_result = true"], after.Reasons);
        Assert.Equal(EngineFixture.Start.AddDays(30), after.ValidUntil);
        Assert.Equal(3, after.CatalogVersion);
    }

    [Fact]
    public async Task Decide_UnknownUser_IsAnEmptyProfile()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("beta", "events.purchase.count_30d == 0"));

        var decision = await fixture.Cdp.DecideAsync("beta", ProfileReference.ByUserId("nobody"));

        Assert.True(decision!.Allow);
        Assert.Equal(Guid.Empty, decision.ProfileId);
        Assert.Null(await fixture.Cdp.DecideAsync("missing", ProfileReference.ByUserId("nobody")));
    }

    [Fact]
    public async Task Membership_ThirdPurchaseLeavesWindow_ExitRecordedAtTheInstantWithCauseTime()
    {
        await using var fixture = new EngineFixture();
        var cdp = fixture.Cdp;
        await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("frequent", "events.purchase.count_30d >= 3"));

        // Left when no purchase is in the window any more: the timer's last run for this profile, seen in the feed.
        await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyer", "events.purchase.count_30d >= 1"));
        await cdp.TrackAsync("u1", "purchase");
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await cdp.TrackAsync("u1", "purchase");
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await cdp.TrackAsync("u1", "purchase");

        var entered = Frequent(await cdp.ReadChangesAsync(0));
        Assert.Single(entered);
        Assert.True(entered[0].Entered);

        // The first purchase leaves the 30-day window exactly 30 days after it happened.
        fixture.Clock.Advance(TimeSpan.FromDays(28));
        var changes = Frequent(await WaitForChangesAsync(cdp, all => Frequent(all).Count >= 2));

        Assert.False(changes[1].Entered);
        Assert.Equal(TinyCdp.Evaluation.ChangeCause.Time, changes[1].Cause);
        Assert.Equal(EngineFixture.Start.AddDays(30), changes[1].At);
        Assert.False(await cdp.IsInSegmentAsync("frequent", ProfileReference.ByUserId("u1")));

        // The exit is recorded once: later instants (the other purchases leaving too) change nothing.
        // The timer re-evaluates the profile once at a time, in order; the run that finds the window
        // empty records the exit from "buyer" and schedules nothing more, so once that exit is in the
        // feed every later run for this profile has happened.
        fixture.Clock.Advance(TimeSpan.FromDays(5));
        var final = await WaitForChangesAsync(cdp, all => all.Any(c => c is { Segment: "buyer", Entered: false }));
        Assert.Contains(final, c => c is { Segment: "buyer", Entered: false, Cause: TinyCdp.Evaluation.ChangeCause.Time });
        Assert.Equal(2, Frequent(final).Count);
    }

    [Fact]
    public async Task WatchChanges_StreamsStoredThenLiveChanges()
    {
        await using var fixture = new EngineFixture();
        var cdp = fixture.Cdp;
        await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "events.purchase.count_all >= 1"));
        await cdp.TrackAsync("u1", "purchase");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<TinyCdp.Engine.MembershipChange>();

        var watching = Task.Run(async () =>
        {
            await foreach (var change in cdp.WatchChangesAsync(0, cancellation.Token))
            {
                seen.Add(change);
                if (seen.Count == 2)
                {
                    return;
                }
            }
        });
        await cdp.TrackAsync("u2", "purchase");
        await watching;

        Assert.Equal(["u1", "u2"], seen.Select(c => c.UserId!));
        Assert.True(seen[1].Cursor > seen[0].Cursor);
    }

    private static List<TinyCdp.Engine.MembershipChange> Frequent(IReadOnlyList<TinyCdp.Engine.MembershipChange> changes) =>
        [.. changes.Where(c => c.Segment == "frequent")];

    private static async Task<IReadOnlyList<TinyCdp.Engine.MembershipChange>> WaitForChangesAsync(ITinyCdp cdp, Func<IReadOnlyList<TinyCdp.Engine.MembershipChange>, bool> done)
    {
        // Generous: the timer runs on the thread pool, which a loaded CI machine may starve for seconds.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var changes = await cdp.ReadChangesAsync(0);
            if (done(changes))
            {
                return changes;
            }

            await Task.Delay(10);
        }

        return await cdp.ReadChangesAsync(0);
    }
}
