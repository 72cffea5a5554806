using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language;

public class ReferenceCycleTests
{
    private static IReadOnlyDictionary<DefinitionReference, IReadOnlyCollection<DefinitionReference>> Graph(
        params (DefinitionReference From, DefinitionReference[] To)[] edges) =>
        edges.ToDictionary(e => e.From, e => (IReadOnlyCollection<DefinitionReference>)e.To);

    private static readonly DefinitionReference A = DefinitionReference.Trait("a");
    private static readonly DefinitionReference B = DefinitionReference.Trait("b");
    private static readonly DefinitionReference C = DefinitionReference.Segment("c");
    private static readonly DefinitionReference D = DefinitionReference.Trait("d");

    [Fact]
    public void Find_TwoDefinitionsReadingEachOther_ReportsThePath()
    {
        var cycle = ReferenceCycles.Find(Graph((A, [B]), (B, [A])));

        Assert.Equal([A, B, A], cycle);
        Assert.Equal("reference cycle: a -> b -> a", ReferenceCycles.Describe(cycle!));
    }

    [Fact]
    public void Find_SelfReference_IsACycle() =>
        Assert.Equal("reference cycle: a -> a", ReferenceCycles.Describe(ReferenceCycles.Find(Graph((A, [A])))!));

    [Fact]
    public void Find_CycleThroughASegment_NamesEveryStep()
    {
        var cycle = ReferenceCycles.Find(Graph((D, [A]), (A, [C]), (C, [B]), (B, [A])));

        Assert.Equal("reference cycle: a -> c -> b -> a", ReferenceCycles.Describe(cycle!));
    }

    [Fact]
    public void Find_DiamondWithoutCycle_ReturnsNull() =>
        Assert.Null(ReferenceCycles.Find(Graph((A, [B, C]), (B, [D]), (C, [D]), (D, []))));

    [Fact]
    public void Find_TraitAndSegmentWithTheSameKey_AreDifferentNodes()
    {
        var trait = DefinitionReference.Trait("vip");
        var segment = DefinitionReference.Segment("vip");

        Assert.Null(ReferenceCycles.Find(Graph((segment, [trait]), (trait, []))));
    }

    [Fact]
    public void Find_LongChain_DoesNotOverflowTheStack()
    {
        var nodes = Enumerable.Range(0, 100_000).Select(i => DefinitionReference.Trait($"t{i}")).ToArray();
        var graph = nodes.Select((n, i) => (n, i + 1 < nodes.Length ? new[] { nodes[i + 1] } : [nodes[0]])).ToArray();

        var cycle = ReferenceCycles.Find(Graph(graph));

        Assert.Equal(100_001, cycle!.Count);
    }
}
