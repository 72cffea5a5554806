using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Aggregation;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>The tree under every aggregator, against a plain sorted list.</summary>
public sealed class TimeTreeTests
{
    private enum Operation
    {
        Add,
        Remove,
        RemoveAtMost,
    }

    [Property(MaxTest = 200)]
    public Property Queries_AnySequenceOfChanges_MatchSortedList()
    {
        var steps = Gen.Frequency(
                (6, Gen.Constant(Operation.Add)),
                (2, Gen.Constant(Operation.Remove)),
                (1, Gen.Constant(Operation.RemoveAtMost)))
            .Zip(Gen.Choose(0, 60))
            .Zip(Gen.Choose(-50, 50))
            .Select(s => (Operation: s.Item1.Item1, Ticks: (long)s.Item1.Item2, Number: s.Item2 / 2.0))
            .ListOf();

        return Prop.ForAll(Arb.From(steps), ops =>
        {
            var tree = new TimeTree<double, NumberRange>();
            var model = new List<TimeTreeEntry<double>>();
            long order = 0;
            foreach (var (operation, ticks, number) in ops)
            {
                switch (operation)
                {
                    case Operation.Add:
                        tree.Add(ticks, order, number);
                        model.Add(new TimeTreeEntry<double>(ticks, order++, number));
                        break;
                    case Operation.Remove when model.Count > 0:
                        var victim = model[(int)(ticks % model.Count)];
                        Assert.True(tree.Remove(victim.Ticks, victim.Order));
                        model.Remove(victim);
                        Assert.False(tree.Remove(victim.Ticks, victim.Order));
                        break;
                    case Operation.RemoveAtMost:
                        var removed = model.Where(e => e.Ticks <= ticks).OrderBy(e => e.Ticks).ThenBy(e => e.Order).ToList();
                        var count = tree.RemoveAtMost(ticks, out var summary, out var first, out var last);
                        Assert.Equal(removed.Count, count);
                        if (count > 0)
                        {
                            Assert.Equal(removed[0], first);
                            Assert.Equal(removed[^1], last);
                            Assert.Equal(removed.Min(e => e.Item), summary.Min);
                            Assert.Equal(removed.Max(e => e.Item), summary.Max);
                        }

                        model.RemoveAll(e => e.Ticks <= ticks);
                        break;
                }

                AssertMatches(tree, model);
            }
        });
    }

    [Fact]
    public void RemoveAtMost_MostItems_ShrinksStorage()
    {
        var tree = new TimeTree<NoItem, NoSummary>();
        for (var i = 0; i < 10_000; i++)
        {
            tree.Add(i, i, default);
        }

        tree.RemoveAtMost(9_899, out _, out _, out _);

        Assert.Equal(100, tree.Count);
        Assert.True(tree.Capacity <= 400, $"capacity {tree.Capacity}");
        Assert.Equal(100, tree.CountInRange(9_899, 10_000));
    }

    [Fact]
    public void Add_ManyInTimeOrder_StaysShallowEnoughForRecursion()
    {
        // A treap's depth does not depend on the insertion order; a million appends must not
        // overflow the stack in the recursive insert, split or release.
        var tree = new TimeTree<NoItem, NoSummary>();
        for (var i = 0; i < 1_000_000; i++)
        {
            tree.Add(i, i, default);
        }

        Assert.Equal(500_000, tree.CountInRange(499_999, 999_999));
        Assert.Equal(1_000_000, tree.RemoveAtMost(long.MaxValue, out _, out _, out _));
    }

    private static void AssertMatches(TimeTree<double, NumberRange> tree, List<TimeTreeEntry<double>> model)
    {
        var sorted = model.OrderBy(e => e.Ticks).ThenBy(e => e.Order).ToList();
        Assert.Equal(sorted.Count, tree.Count);
        Assert.Equal(sorted.Count > 0, tree.TryGetFirst(out var first));
        if (sorted.Count > 0)
        {
            Assert.Equal(sorted[0], first);
        }

        for (long q = -1; q <= 61; q += 3)
        {
            Assert.Equal(sorted.Count(e => e.Ticks <= q), tree.CountAtMost(q));

            var lastAtMost = sorted.LastOrDefault(e => e.Ticks <= q);
            Assert.Equal(sorted.Any(e => e.Ticks <= q), tree.TryGetLastAtMost(q, out var last));
            if (sorted.Any(e => e.Ticks <= q))
            {
                Assert.Equal(lastAtMost, last);
            }

            var after = sorted.FirstOrDefault(e => e.Ticks > q);
            Assert.Equal(sorted.Any(e => e.Ticks > q), tree.TryGetFirstAfter(q, out var afterTicks));
            if (sorted.Any(e => e.Ticks > q))
            {
                Assert.Equal(after.Ticks, afterTicks);
            }

            foreach (var width in new long[] { 0, 1, 7, 30, 100 })
            {
                var inRange = sorted.Where(e => e.Ticks > q && e.Ticks <= q + width).ToList();
                var summary = tree.SummarizeRange(q, q + width, out var count);
                Assert.Equal(inRange.Count, count);
                Assert.Equal(inRange.Count, tree.CountInRange(q, q + width));
                Assert.Equal(inRange.Count > 0, summary.HasValue);
                if (inRange.Count > 0)
                {
                    Assert.Equal(inRange.Min(e => e.Item), summary.Min);
                    Assert.Equal(inRange.Max(e => e.Item), summary.Max);
                }

                var visited = new List<double>();
                tree.VisitRange(q, q + width, visited.Add);
                Assert.Equal(inRange.Select(e => e.Item), visited);
            }
        }
    }
}
