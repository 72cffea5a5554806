using TinyCdp.Core.Tests.Differential;
using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>
/// The writer computes group N+1 while group N's commit is in flight. A store that holds N's commit
/// (and fails it, or lets it through) while the engine says N+1 is computed and waiting for it pins
/// what may and may not reach the callers and the store: nothing computed on top of a failed commit
/// is stored or acknowledged as computed (it is computed again from the store), and the state after
/// matches a recount of the stored events, in memory, in the stored trait values and after a restart.
/// The groups here are small, so the engine is told to overlap groups of any size.
/// </summary>
public class PipelinedCommitTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static ProfileReference User(string id) => ProfileReference.ByUserId(id);

    private static CdpMessage Purchase(string? userId, double amount, string messageId, string? anonymousId = null) =>
        CdpMessage.Track(userId, "purchase", Value.Object([KeyValuePair.Create("amount", Value.Number(amount))]), anonymousId: anonymousId, messageId: messageId);

    [Fact]
    public async Task CommitFails_WhileNextGroupWasComputedOnTopOfIt_NextGroupIsComputedAgainFromTheStore()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a");
        await using (var fixture = await StartAsync(store))
        {
            var nextGroupWaits = OverlapEveryGroup(fixture);

            // N: a known profile and a profile it creates; N+1: the same message id again, the created
            // profile again (by its user id only), and a profile N does not touch.
            var first = fixture.Cdp.BatchAsync([Purchase("u1", 1, "a"), Purchase("fresh", 2, "f1")]);
            await store.Entered.Task.WaitAsync(Hang);
            var second = fixture.Cdp.BatchAsync([Purchase("u1", 4, "a"), Purchase("fresh", 8, "f2"), Purchase("u2", 16, "c")]);
            await nextGroupWaits.WaitAsync(Hang);

            // Neither group is visible while N is in flight.
            Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
            store.Release.SetResult(true);

            await Assert.ThrowsAsync<TinyCdpException>(() => first);
            var result = await second.WaitAsync(Hang);

            // Computed again: "a" was never stored, so it is new; "fresh" is created by N+1, once.
            Assert.Equal([false, false, false], result.Items.Select(i => i.Duplicate));
            Assert.Equal(["a", "c", "f2"], (await inner.FindKnownMessageIdsAsync(["a", "f1", "f2", "c"])).Order(StringComparer.Ordinal));
            Assert.Equal(3, await inner.CountProfilesAsync());
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 2, 14), ("u2", 2, 36), ("fresh", 1, 8));
        }

        await AssertAfterRestartAsync(inner, ("u1", 2, 14), ("u2", 2, 36), ("fresh", 1, 8));
    }

    [Fact]
    public async Task CommitSucceeds_WhileNextGroupWasComputedOnTopOfIt_BothAreStoredInOrder()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a");
        await using (var fixture = await StartAsync(store))
        {
            var nextGroupWaits = OverlapEveryGroup(fixture);

            var first = fixture.Cdp.BatchAsync([Purchase("u1", 1, "a"), Purchase("fresh", 2, "f1")]);
            await store.Entered.Task.WaitAsync(Hang);
            var second = fixture.Cdp.BatchAsync([Purchase("u1", 4, "a"), Purchase("fresh", 8, "f2"), Purchase("u2", 16, "c")]);
            await nextGroupWaits.WaitAsync(Hang);
            Assert.Equal(Value.Number(1), await fixture.Cdp.EvaluateTraitAsync("purchases", User("u1")));
            Assert.Equal(Value.Number(0), await fixture.Cdp.EvaluateTraitAsync("purchases", User("fresh")));
            store.Release.SetResult(false);

            var firstResult = await first.WaitAsync(Hang);
            var secondResult = await second.WaitAsync(Hang);

            // N+1 saw N's message id and N's new profile although the store had neither when it was computed.
            Assert.Equal([false, false], firstResult.Items.Select(i => i.Duplicate));
            Assert.Equal([true, false, false], secondResult.Items.Select(i => i.Duplicate));
            Assert.Equal(firstResult.Items[1].ProfileId, secondResult.Items[1].ProfileId);
            Assert.True(firstResult.Items.Max(i => i.Sequence) < secondResult.Items.Where(i => !i.Duplicate).Min(i => i.Sequence));
            Assert.Equal(3, await inner.CountProfilesAsync());
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 2, 11), ("u2", 2, 36), ("fresh", 2, 10));
        }

        await AssertAfterRestartAsync(inner, ("u1", 2, 11), ("u2", 2, 36), ("fresh", 2, 10));
    }

    [Fact]
    public async Task NextGroupCommitFails_AfterItsPredecessorWasStored_OnlyThePredecessorIsStored()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a") { FailMessageId = "c" };
        await using (var fixture = await StartAsync(store))
        {
            var nextGroupWaits = OverlapEveryGroup(fixture);

            var first = fixture.Cdp.BatchAsync([Purchase("u1", 1, "a"), Purchase("fresh", 2, "f1")]);
            await store.Entered.Task.WaitAsync(Hang);
            var second = fixture.Cdp.BatchAsync([Purchase("u1", 4, "b"), Purchase("fresh", 8, "f2"), Purchase("u2", 16, "c")]);
            await nextGroupWaits.WaitAsync(Hang);
            store.Release.SetResult(false);

            await first.WaitAsync(Hang);
            await Assert.ThrowsAsync<TinyCdpException>(() => second);
            Assert.Equal(["a", "f1"], (await inner.FindKnownMessageIdsAsync(["a", "b", "f1", "f2", "c"])).Order(StringComparer.Ordinal));
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 2, 11), ("u2", 1, 20), ("fresh", 1, 2));

            // The discarded profiles are reloaded from the store by the next write.
            store.FailMessageId = null;
            await fixture.Cdp.BatchAsync([Purchase("u1", 32, "d"), Purchase("fresh", 64, "e")]);
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 3, 43), ("u2", 1, 20), ("fresh", 2, 66));
        }

        await AssertAfterRestartAsync(inner, ("u1", 3, 43), ("u2", 1, 20), ("fresh", 2, 66));
    }

    [Fact]
    public async Task CommitFails_WhileNextGroupMergedAProfileItCreated_NextGroupAttachesTheIdentifierInstead()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a");
        await using (var fixture = await StartAsync(store))
        {
            var nextGroupWaits = OverlapEveryGroup(fixture);

            // N creates an anonymous profile; N+1 merges it into u1 (a rebuild, which waits for N).
            var first = fixture.Cdp.BatchAsync([Purchase(null, 1, "a", anonymousId: "x")]);
            await store.Entered.Task.WaitAsync(Hang);
            var second = fixture.Cdp.BatchAsync([CdpMessage.Identify("u1", anonymousId: "x", messageId: "i")]);
            await nextGroupWaits.WaitAsync(Hang);
            store.Release.SetResult(true);

            await Assert.ThrowsAsync<TinyCdpException>(() => first);
            var result = await second.WaitAsync(Hang);

            var u1 = await fixture.Cdp.GetProfileAsync(User("u1"));
            Assert.Equal(u1!.Id, result.Items[0].ProfileId);
            Assert.Equal(u1.Id, (await fixture.Cdp.GetProfileAsync(ProfileReference.ByAnonymousId("x")))!.Id);
            Assert.Empty(u1.Merges);
            Assert.Equal(2, await inner.CountProfilesAsync());
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 1, 10), ("u2", 1, 20));
        }

        await AssertAfterRestartAsync(inner, ("u1", 1, 10), ("u2", 1, 20));
    }

    [Fact]
    public async Task CommitSucceeds_WhileNextGroupMergedAProfileItCreated_TheMergeIncludesItsEvents()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a");
        await using (var fixture = await StartAsync(store))
        {
            var nextGroupWaits = OverlapEveryGroup(fixture);

            var first = fixture.Cdp.BatchAsync([Purchase(null, 1, "a", anonymousId: "x")]);
            await store.Entered.Task.WaitAsync(Hang);
            var second = fixture.Cdp.BatchAsync([CdpMessage.Identify("u1", anonymousId: "x", messageId: "i"), Purchase(null, 2, "b", anonymousId: "x")]);
            await nextGroupWaits.WaitAsync(Hang);
            store.Release.SetResult(false);

            var firstResult = await first.WaitAsync(Hang);
            var secondResult = await second.WaitAsync(Hang);

            var u1 = await fixture.Cdp.GetProfileAsync(User("u1"));
            Assert.Equal(u1!.Id, secondResult.Items[1].ProfileId);
            Assert.Equal(firstResult.Items[0].ProfileId, Assert.Single(u1.Merges).Absorbed);
            Assert.Equal(2, await inner.CountProfilesAsync());
            await AssertRecountAsync(fixture.Cdp, inner, ("u1", 3, 13), ("u2", 1, 20));
        }

        await AssertAfterRestartAsync(inner, ("u1", 3, 13), ("u2", 1, 20));
    }

    [Fact]
    public async Task SmallGroup_WhileACommitIsInFlight_WaitsForItAndIsNotComputedOnTop()
    {
        var inner = new InMemoryCdpStore();
        var store = new HoldingStore(inner, heldMessageId: "a");
        await using var fixture = await StartAsync(store);
        var engine = (CdpEngine)fixture.Cdp;
        var computedOnTop = 0;
        engine.Writer.Pipeline.OnWaitingForInFlightCommit = () => Interlocked.Increment(ref computedOnTop);

        var first = fixture.Cdp.BatchAsync([Purchase("u1", 1, "a")]);
        await store.Entered.Task.WaitAsync(Hang);
        var second = fixture.Cdp.BatchAsync([Purchase("u1", 4, "a")]);
        store.Release.SetResult(true);

        await Assert.ThrowsAsync<TinyCdpException>(() => first);
        Assert.False((await second.WaitAsync(Hang)).Items[0].Duplicate);
        Assert.Equal(0, computedOnTop);
        await AssertRecountAsync(fixture.Cdp, inner, ("u1", 2, 14), ("u2", 1, 20));
    }

    /// <summary>
    /// Makes the engine compute every group on top of the commit in flight (no 32-message floor);
    /// the task completes when a group first waits for the commit it was computed on.
    /// </summary>
    private static Task OverlapEveryGroup(EngineFixture fixture)
    {
        var engine = (CdpEngine)fixture.Cdp;
        engine.Writer.PipelineMinMessages = 1;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Writer.Pipeline.OnWaitingForInFlightCommit = () => waiting.TrySetResult();
        return waiting.Task;
    }

    /// <summary>An engine with two traits over purchases, u1 and u2 stored with one purchase each (10 and 20).</summary>
    private static async Task<EngineFixture> StartAsync(ICdpStore store)
    {
        var fixture = new EngineFixture(store, timer: false);
        await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"));
        await fixture.Cdp.Definitions.SaveTraitAsync(new("spent", "events.purchase.sum(amount, 30d)"));
        await fixture.Cdp.Definitions.WaitForBackfillAsync();
        var seeded = await fixture.Cdp.BatchAsync([Purchase("u1", 10, "s1"), Purchase("u2", 20, "s2")]);
        Assert.True(seeded.Accepted);
        return fixture;
    }

    /// <summary>Engine values, stored trait values and a count of the stored events agree, user by user.</summary>
    private static async Task AssertRecountAsync(ITinyCdp cdp, ICdpStore store, params (string User, int Purchases, double Spent)[] expected)
    {
        foreach (var (user, purchases, spent) in expected)
        {
            var profile = await cdp.GetProfileAsync(User(user));
            Assert.NotNull(profile);
            var events = await store.GetEventsAsync(profile.Id);
            Assert.Equal(purchases, events.Count(e => e.Name == "purchase"));
            Assert.Equal(Value.Number(purchases), await cdp.EvaluateTraitAsync("purchases", User(user)));
            Assert.Equal(Value.Number(spent), await cdp.EvaluateTraitAsync("spent", User(user)));
            var stored = (await store.GetTraitValuesAsync(profile.Id)).ToDictionary(t => t.Trait, t => t.ValueJson, StringComparer.Ordinal);
            Assert.Equal(Value.Number(purchases).ToJson(), stored["purchases"]);
            Assert.Equal(Value.Number(spent).ToJson(), stored["spent"]);
        }
    }

    private static async Task AssertAfterRestartAsync(InMemoryCdpStore inner, params (string User, int Purchases, double Spent)[] expected)
    {
        await using var restarted = new EngineFixture(new NonDisposingStore(inner), timer: false);
        await AssertRecountAsync(restarted.Cdp, inner, expected);
    }

    /// <summary>
    /// Holds the first commit that stores <paramref name="heldMessageId"/> until released (failing it on
    /// <c>true</c>), and fails every commit that stores <see cref="FailMessageId"/>.
    /// </summary>
    private sealed class HoldingStore(ICdpStore store, string heldMessageId) : NonDisposingStore(store), ICdpStore
    {
        private readonly ICdpStore _inner = store;
        private int _held;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? FailMessageId { get; set; }

        async Task<IReadOnlyList<long>> ICdpStore.CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
        {
            if (FailMessageId is { } failing && transaction.Events.Any(e => e.MessageId == failing))
            {
                throw new InvalidOperationException("Injected commit failure.");
            }

            if (transaction.Events.Any(e => e.MessageId == heldMessageId) && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Entered.TrySetResult();
                if (await Release.Task.ConfigureAwait(false))
                {
                    throw new InvalidOperationException("Injected commit failure.");
                }
            }

            return await _inner.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
    }
}
