using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Aggregation;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>Every aggregate kind against the naive recount of <see cref="AggregateOracle"/> (SEMANTICS.md §3).</summary>
public sealed class AggregatorPropertyTests
{
    private const int Tests = 150;

    [Property(MaxTest = Tests)]
    public Property Evaluate_AnyEventsInAnyOrder_EqualsOracle() =>
        Prop.ForAll(AggregationScenario.Arbitrary(), scenario =>
        {
            foreach (var requirement in scenario.Requirements())
            {
                var aggregator = scenario.Build(requirement, scenario.Events);
                foreach (var now in scenario.Nows)
                {
                    var (expected, counted) = AggregateOracle.Evaluate(requirement, scenario.Events, now, scenario.TimeZone);
                    AssertSame(expected, aggregator.Evaluate(now), requirement, now, "value");
                    AssertSame(counted, aggregator.CountedEvents(now), requirement, now, "counted events");
                }
            }
        });

    [Property(MaxTest = Tests)]
    public Property Evaluate_EventsAddedInTimeOrderOrShuffled_GiveSameResults() =>
        Prop.ForAll(AggregationScenario.Arbitrary(), scenario =>
        {
            // Stable sorts keep equal-time events in the order they were added, which is the only
            // thing the results may depend on besides the events themselves.
            var inTimeOrder = scenario.Events.OrderBy(e => e.Time).ToList();
            var reversedTimes = scenario.Events.OrderByDescending(e => e.Time).ToList();
            foreach (var requirement in scenario.Requirements())
            {
                var shuffled = scenario.Build(requirement, scenario.Events);
                var sorted = scenario.Build(requirement, inTimeOrder);
                var reversed = scenario.Build(requirement, reversedTimes);
                foreach (var now in scenario.Nows)
                {
                    AssertSame(sorted.Evaluate(now), shuffled.Evaluate(now), requirement, now, "value");
                    AssertSame(sorted.Evaluate(now), reversed.Evaluate(now), requirement, now, "value (reverse order)");
                    AssertSame(sorted.CountedEvents(now), shuffled.CountedEvents(now), requirement, now, "counted events");
                    AssertSame(sorted.NextChange(now), shuffled.NextChange(now), requirement, now, "next change");
                }
            }
        });

    [Property(MaxTest = Tests)]
    public Property NextChange_AnyNow_NoChangeBeforeIt() =>
        Prop.ForAll(AggregationScenario.Arbitrary(), scenario =>
        {
            foreach (var requirement in scenario.Requirements())
            {
                var aggregator = scenario.Build(requirement, scenario.Events);
                var candidates = scenario.ChangeCandidates(requirement);
                foreach (var now in scenario.Nows)
                {
                    var next = aggregator.NextChange(now);
                    Assert.True(next is null || next > now, $"{requirement} at {now:O}: next change {next:O} is not after now");

                    // The oracle's value is constant between candidate instants, so checking every
                    // candidate in [now, next) (and the tick after now) covers the whole interval.
                    var (expected, _) = AggregateOracle.Evaluate(requirement, scenario.Events, now, scenario.TimeZone);
                    var until = next ?? DateTimeOffset.MaxValue;
                    foreach (var instant in candidates.GetViewBetween(now, until).Append(now.AddTicks(1)))
                    {
                        if (instant >= until)
                        {
                            continue;
                        }

                        var (actual, _) = AggregateOracle.Evaluate(requirement, scenario.Events, instant, scenario.TimeZone);
                        Assert.True(
                            expected == actual,
                            $"{requirement} at {now:O}: next change {next:O}, but the value changes from {expected} to {actual} at {instant:O}");
                        AssertSame(expected, aggregator.Evaluate(instant), requirement, instant, "value before next change");
                    }
                }
            }
        });

    [Property(MaxTest = Tests)]
    public Property Compact_RisingHorizonsWithLateEvents_StillEqualsOracleAndBoundsMemory() =>
        Prop.ForAll(AggregationScenario.Arbitrary(), Arb.From(Gen.Choose(0, 3 * 24 * 4).ArrayOf(6)), (scenario, lags) =>
        {
            // A live engine: events keep arriving (in any time order), time moves forward, and
            // after each step the engine compacts to a horizon somewhat before now.
            var nows = scenario.Nows.Order().ToArray();
            var chunk = (scenario.Events.Length / nows.Length) + 1;
            foreach (var requirement in scenario.Requirements())
            {
                var aggregator = Aggregator.Create(requirement, scenario.TimeZone);
                var added = new List<AggregateEvent>();
                var horizon = DateTimeOffset.MinValue;
                for (var step = 0; step < nows.Length; step++)
                {
                    foreach (var e in scenario.Events.Skip(step * chunk).Take(chunk))
                    {
                        aggregator.Add(e);
                        added.Add(e);
                    }

                    var now = nows[step];
                    var candidate = now.AddMinutes(-15 * lags[step]);
                    horizon = candidate > horizon ? candidate : horizon;
                    aggregator.Compact(horizon);

                    var (expected, counted) = AggregateOracle.Evaluate(requirement, added, now, scenario.TimeZone);
                    AssertSame(expected, aggregator.Evaluate(now), requirement, now, $"value after Compact({horizon:O})");
                    AssertSame(counted, aggregator.CountedEvents(now), requirement, now, $"counted events after Compact({horizon:O})");
                    Assert.True(
                        aggregator.RetainedEntries <= RetentionBound(requirement, added, horizon),
                        $"{requirement}: {aggregator.RetainedEntries} entries retained after Compact({horizon:O}), bound {RetentionBound(requirement, added, horizon)}");
                }
            }
        });

    // For a finite window, only events after horizon − W may be kept; for all, only events after
    // the horizon (distinct also keeps the first appearance of each such value); unique_days also
    // keeps one entry per active day, and works in whole local days (hence the extra day).
    private static int RetentionBound(AggregateRequirement requirement, List<AggregateEvent> events, DateTimeOffset horizon)
    {
        var window = requirement.Window;
        return requirement.Kind switch
        {
            AggregateKind.UniqueDays => 2 * events.Count(e => e.Time > horizon - window.Length - TimeSpan.FromDays(1)),
            AggregateKind.Distinct when window.IsAll => 2 * events.Count(e => e.Time > horizon),
            _ when window.IsAll => events.Count(e => e.Time > horizon),
            _ => events.Count(e => e.Time > horizon - window.Length),
        };
    }

    private static void AssertSame<T>(T expected, T actual, AggregateRequirement requirement, DateTimeOffset now, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{requirement} at {now:O}: {what} expected {expected}, got {actual}");
        }
    }
}
