using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.Definitions;
using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Keys;
using TinyCdp.Language;
using TinyCdp.Testing.Differential;
using TinyCdp.Testing.Hosting;

namespace TinyCdp.Storage.Specification.Cluster;

/// <summary>
/// Several engines ("nodes") on one shared store: what ARCHITECTURE.md's scale-out promises. A store
/// project subclasses this with its shared store (the in-memory cluster in TinyCdp.Core.Tests,
/// PostgreSQL in its own project). Nodes are never asked to catch up here unless a test says so:
/// the listener must do it on its own.
/// </summary>
public abstract class MultiNodeSpecification : IAsyncLifetime
{
    /// <summary>The contract: another node reflects an acknowledged write within one second.</summary>
    protected static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly List<EngineHost> _hosts = [];
    private IDifferentialStore? _cluster;

    /// <summary>A fresh, empty shared store; <see cref="IDifferentialStore.Open"/> gives each node its view.</summary>
    protected abstract Task<IDifferentialStore> CreateClusterAsync();

    public async Task InitializeAsync() => _cluster = await CreateClusterAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>The nodes' clock (one for all: these tests are not about clock skew).</summary>
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>A node: a started engine on the shared store (a server starts it with the host).</summary>
    protected async Task<EngineHost> NodeAsync()
    {
        var host = new EngineHost(_cluster!.Open(), Clock, o => o.DedupeWindow = TimeSpan.FromDays(1));
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task AWriteOnOneNode_IsSeenByAnotherThatHadTheProfileCached_WithinOneSecond()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"))).Succeeded);
        await Until(b, () => Task.FromResult(b.Cdp.Definitions.Catalog.Definitions.Traits.Any(t => t.Key == "purchases")));
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        await Until(b, async () => (await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1"))).Equals(Value.Number(1)));

        // b holds u1 now; a's next write must reach b's cached copy.
        for (var i = 2; i <= 4; i++)
        {
            Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
            var expected = Value.Number(i);
            await Until(b, async () => (await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1"))).Equals(expected));
        }
    }

    [Fact]
    public async Task ADefinitionSavedOnOneNode_IsUsedByAnotherNodesDecide()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await b.Cdp.TrackAsync("u1", "purchase")).Accepted);
        Assert.Null(await b.Cdp.DecideAsync("buyers_only", ProfileReference.ByUserId("u1")));

        Assert.True((await a.Cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("buyers_only", "events.purchase.count_all >= 1"))).Succeeded);

        await Until(b, async () => await b.Cdp.DecideAsync("buyers_only", ProfileReference.ByUserId("u1")) is { Value.IsTrue: true });
        var decision = await b.Cdp.DecideAsync("buyers_only", ProfileReference.ByUserId("u1"));
        Assert.Equal("on", decision!.Variant);
    }

    [Fact]
    public async Task WritesFromBothNodesToOneProfile_LoseNothing()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"))).Succeeded);
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("plan", "profile.plan"))).Succeeded);

        // Alternating nodes, each write computed from a cache the other node has just made stale.
        for (var i = 0; i < 20; i++)
        {
            var node = i % 2 == 0 ? a : b;
            Assert.True((await node.Cdp.TrackAsync("u1", "purchase")).Accepted);
            Assert.True((await node.Cdp.IdentifyAsync("u1", Obj(("plan", Value.String($"plan-{i}"))))).Accepted);
        }

        foreach (var node in new[] { a, b })
        {
            await node.CatchUpAsync();
            Assert.Equal(Value.Number(20), await node.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
            Assert.Equal(Value.String("plan-19"), await node.Cdp.EvaluateTraitAsync("plan", ProfileReference.ByUserId("u1")));
        }
    }

    [Fact]
    public async Task AMessageStoredThroughOneNode_IsADuplicateOnTheOther()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var message = CdpMessage.Track("u1", "purchase", messageId: "m-1");
        var first = await a.Cdp.SendAsync(message);
        var again = await b.Cdp.SendAsync(message);

        Assert.False(first.Items[0].Duplicate);
        Assert.True(again.Items[0].Duplicate);
        var profile = await b.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        Assert.NotNull(profile);
    }

    [Fact]
    public async Task AnIdentityMergeOnOneNode_MovesTheOtherNodesReads()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"))).Succeeded);
        Assert.True((await a.Cdp.SendAsync(CdpMessage.Track(null, "purchase", anonymousId: "anon-1"))).Accepted);
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        await Until(b, async () => (await b.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByAnonymousId("anon-1"))).Equals(Value.Number(1)));

        // b links the two; a's cached copies of both profiles must follow.
        Assert.True((await b.Cdp.SendAsync(CdpMessage.Identify("u1", anonymousId: "anon-1"))).Accepted);

        await Until(a, async () => (await a.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByAnonymousId("anon-1"))).Equals(Value.Number(2)));
        Assert.Equal(Value.Number(2), await a.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
    }

    [Fact]
    public async Task AProfileDeletedOnOneNode_IsGoneOnTheOther()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.TrackAsync("u1", "purchase")).Accepted);
        await Until(b, async () => await b.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1")) is not null);

        Assert.True(await a.Cdp.DeleteProfileAsync(ProfileReference.ByUserId("u1")));

        await Until(b, async () => await b.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1")) is null);
    }

    [Fact]
    public async Task AKeyCreatedOrRevokedOnOneNode_CountsOnTheOther()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var keysA = a.Services.GetRequiredService<IApiKeyService>();
        var keysB = b.Services.GetRequiredService<IApiKeyService>();
        Assert.Empty(await keysB.ListAsync());
        Assert.Null(await keysB.FindAsync("tcdp_not-a-key-at-all"));

        var created = await keysA.CreateAsync(ApiKeyKind.Read);
        await Until(b, async () => await keysB.FindAsync(created.Secret) is not null);

        Assert.True(await keysA.RevokeAsync(created.Info.Id));
        await Until(b, async () => (await keysB.FindAsync(created.Secret))?.RevokedAt is not null);
    }

    [Fact]
    public async Task ConcurrentWritersOnBothNodes_ForTheSameUsers_LeaveValuesEqualToARecount()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"))).Succeeded);
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("spent", "events.purchase.sum(amount, all)"))).Succeeded);
        Assert.True((await a.Cdp.Definitions.SaveTraitAsync(new TraitDefinition("plan", "profile.plan"))).Succeeded);
        Assert.True((await a.Cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("big", "events.purchase.sum(amount, all) >= 300"))).Succeeded);
        await b.CatchUpAsync();

        // 8 users; 4 writers (two per node) each send 40 messages in batches of up to 5: purchases
        // with distinct amounts and times, identifies with distinct times, some through the
        // anonymous id only (linked to the user id by an identify that may land on either node).
        var users = Enumerable.Range(0, 8).Select(i => $"user-{i}").ToArray();
        var start = Clock.GetUtcNow().AddHours(-1);
        var messages = new List<CdpMessage>[4];
        var random = new Random(20261126);
        var tick = 0;
        for (var w = 0; w < 4; w++)
        {
            messages[w] = [];
            for (var i = 0; i < 40; i++)
            {
                var user = users[random.Next(users.Length)];
                var at = start.AddMilliseconds(++tick * 7);
                var anonymous = "anon-" + user;
                messages[w].Add((random.Next(6), w) switch
                {
                    (0, _) => CdpMessage.Identify(user, Obj(("plan", Value.String($"p{tick}"))), at, anonymousId: anonymous, messageId: $"m{tick}"),
                    (1, _) => CdpMessage.Track(null, "purchase", Obj(("amount", Value.Number(tick))), at, anonymousId: anonymous, messageId: $"m{tick}"),
                    _ => CdpMessage.Track(user, "purchase", Obj(("amount", Value.Number(tick))), at, messageId: $"m{tick}"),
                });
            }
        }

        var writers = messages.Select((list, w) => Task.Run(async () =>
        {
            var node = w % 2 == 0 ? a : b;
            foreach (var chunk in list.Chunk(1 + (w % 5)))
            {
                var result = await node.Cdp.BatchAsync(chunk);
                Assert.True(result.Accepted, result.Error?.Message);
            }
        })).ToArray();
        await Task.WhenAll(writers);

        // Every message sent again, to the other node: all duplicates.
        var all = messages.SelectMany(m => m).ToList();
        foreach (var (list, w) in messages.Select((list, w) => (list, w)))
        {
            var other = w % 2 == 0 ? b : a;
            foreach (var chunk in list.Chunk(20))
            {
                var result = await other.Cdp.BatchAsync(chunk);
                Assert.All(result.Items, item => Assert.True(item.Duplicate));
            }
        }

        // The recount: per user, every message that carried the user id or its anonymous id
        // (identifies link the two, and by the end every anonymous id used is linked or alone).
        foreach (var node in new[] { a, b })
        {
            await node.CatchUpAsync();
            foreach (var user in users)
            {
                var anonymous = "anon-" + user;
                var linked = all.Any(m => m.Kind == MessageKind.Identify && m.UserId == user);
                var mine = all.Where(m => m.UserId == user || (linked && m.AnonymousId == anonymous)).ToList();
                var purchases = mine.Where(m => m.Kind == MessageKind.Track).ToList();
                var reference = ProfileReference.ByUserId(user);
                if (mine.Count == 0)
                {
                    continue;
                }

                var spent = purchases.Sum(m => m.Properties.Member("amount").AsNumber);
                Assert.Equal(Value.Number(purchases.Count), await node.Cdp.EvaluateTraitAsync("purchases", reference));
                Assert.Equal(Value.Number(spent), await node.Cdp.EvaluateTraitAsync("spent", reference));
                var plan = mine.Where(m => m.Kind == MessageKind.Identify).MaxBy(m => m.Timestamp)?.Traits.Member("plan") ?? Value.Null;
                Assert.Equal(plan, await node.Cdp.EvaluateTraitAsync("plan", reference));
                Assert.Equal(spent >= 300, await node.Cdp.IsInSegmentAsync("big", reference));
            }
        }
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds on a node; fails after <see cref="Freshness"/>.</summary>
    protected static async Task Until(EngineHost node, Func<Task<bool>> condition)
    {
        _ = node;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Freshness)
            {
                Assert.Fail($"not seen within {Freshness.TotalMilliseconds} ms");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>An object value.</summary>
    protected static Value Obj(params (string Key, Value Value)[] properties) =>
        Value.Object(properties.Select(p => KeyValuePair.Create(p.Key, p.Value)));
}
