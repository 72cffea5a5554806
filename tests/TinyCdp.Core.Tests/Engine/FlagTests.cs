using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Engine;

public class FlagTests
{
    private static readonly Dictionary<string, Value> Colors = new() { ["red"] = Value.String("#f00"), ["blue"] = Value.String("#00f") };

    [Fact]
    public async Task Disabled_ServesDefaultWithReasonDisabled()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("beta", "true") with { Enabled = false });

        var decision = await fixture.Cdp.DecideAsync("beta", ProfileReference.ByUserId("u1"));

        Assert.Equal(("off", false, "DISABLED", (int?)null), (decision!.Variant, decision.Allow, decision.ReasonText, decision.RuleIndex));
        Assert.Null(decision.ValidUntil);
    }

    [Fact]
    public async Task TypedVariants_FirstMatchingRuleWins_AllowMeansARuleMatched()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "theme",
            Variants = Colors,
            Rules = [new FlagRule("context.country == \"DE\"") { Variant = "blue" }, new FlagRule("true") { Variant = "red" }],
            DefaultVariant = "red",
        });

        var german = await fixture.Cdp.DecideAsync("theme", ProfileReference.ByUserId("u1"), new Dictionary<string, Value> { ["country"] = Value.String("DE") });
        var other = await fixture.Cdp.DecideAsync("theme", ProfileReference.ByUserId("u1"));

        Assert.Equal((Value.String("#00f"), "blue", 0, true), (german!.Value, german.Variant, german.RuleIndex!.Value, german.Allow));
        Assert.Equal((Value.String("#f00"), "red", 1, "TARGETING_MATCH"), (other!.Value, other.Variant, other.RuleIndex!.Value, other.ReasonText));
    }

    [Fact]
    public async Task Split_IsDeterministicPerUserAndReportsSplit()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "experiment",
            Variants = Colors,
            Rules = [new FlagRule("true") { Split = [new("red", 50), new("blue", 50)] }],
            DefaultVariant = "red",
        });

        var decisions = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var decision = await fixture.Cdp.DecideAsync("experiment", ProfileReference.ByUserId($"user-{i}"));
            Assert.Equal("SPLIT", decision!.ReasonText);
            decisions.Add(decision.Variant);
            var again = await fixture.Cdp.DecideAsync("experiment", ProfileReference.ByUserId($"user-{i}"));
            Assert.Equal(decision.Variant, again!.Variant);
        }

        Assert.InRange(decisions.Count(d => d == "red"), 70, 130);
        var expected = Bucketing("experiment", "user-7");
        Assert.Equal(expected < 50_000 ? "red" : "blue", decisions[7]);
    }

    [Fact]
    public async Task Default_WhenNoRuleMatches_AndValidUntilFollowsWindows()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("recent", "events.login.count_24h >= 1"));
        await fixture.Cdp.TrackAsync("u1", "login");
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        var decision = await fixture.Cdp.DecideAsync("recent", ProfileReference.ByUserId("u1"));

        Assert.True(decision!.Allow);
        Assert.Equal(EngineFixture.Start.AddHours(24), decision.ValidUntil);
        Assert.Equal(["events.login.count_24h = 1", "final_result = true"], decision.Reasons);

        fixture.Clock.Advance(TimeSpan.FromHours(22));
        var later = await fixture.Cdp.DecideAsync("recent", ProfileReference.ByUserId("u1"));
        Assert.Equal(("off", "DEFAULT", false), (later!.Variant, later.ReasonText, later.Allow));
    }

    [Fact]
    public async Task DecideAll_ReturnsEveryFlag()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("a", "true"));
        await fixture.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("b", "false"));

        var all = await fixture.Cdp.DecideAllAsync(ProfileReference.ByUserId("u1"));
        var some = await fixture.Cdp.DecideAllAsync(ProfileReference.ByUserId("u1"), ["b", "missing"]);

        Assert.Equal([("a", true), ("b", false)], all.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Allow)));
        Assert.Equal(["b"], some.Keys);
    }

    [Fact]
    public async Task TryDecide_HotProfile_AgreesWithDecideAsyncWithoutAllocating()
    {
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveSegmentAsync(new("buyers", "events.purchase.count_30d >= 2"));
        await fixture.Cdp.Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "checkout",
            Variants = Colors,
            Rules = [new FlagRule("segment(\"buyers\") && context.country == \"DE\"") { Variant = "blue" }, new FlagRule("true") { Split = [new("red", 10), new("blue", 90)] }],
            DefaultVariant = "red",
        });
        var german = new Dictionary<string, Value> { ["country"] = Value.String("DE") };
        for (var i = 0; i < 20; i++)
        {
            await fixture.Cdp.TrackAsync($"u{i}", "purchase");
            if (i % 2 == 0)
            {
                await fixture.Cdp.TrackAsync($"u{i}", "purchase");
            }
        }

        Assert.False(fixture.Cdp.TryDecide("checkout", ProfileReference.ByUserId("never-seen"), german, out _));
        Assert.False(fixture.Cdp.TryDecide("no_such_flag", ProfileReference.ByUserId("u1"), german, out _));
        for (var i = 0; i < 20; i++)
        {
            var user = ProfileReference.ByUserId($"u{i}");
            var full = await fixture.Cdp.DecideAsync("checkout", user, german);

            Assert.True(fixture.Cdp.TryDecide("checkout", user, german, out var quick));
            Assert.Equal((full!.Variant, full.Value, full.Allow, full.Reason, full.RuleIndex ?? -1), (quick.Variant, quick.Value, quick.Allow, quick.Reason, quick.RuleIndex));
        }

        fixture.Cdp.TryDecide("checkout", ProfileReference.ByUserId("u0"), german, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            fixture.Cdp.TryDecide("checkout", ProfileReference.ByUserId("u0"), german, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int Bucketing(string flag, string user) => TinyCdp.Evaluation.Bucketing.Bucketer.Bucket(flag, flag, user);
}
