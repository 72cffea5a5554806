using TinyCdp.Core.Tests.Differential;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>The backfill reads pages ahead of the writer; a profile an ingest commit touched after that read is read again.</summary>
public sealed class BackfillReadAheadTests
{
    /// <summary>Holds the first batched profile read (the backfill's read-ahead) after it has read the store.</summary>
    private sealed class HeldReadStore(ICdpStore store) : NonDisposingStore(store), ICdpStore
    {
        private readonly ICdpStore _inner = store;
        private int _held;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<IReadOnlyDictionary<Guid, StoredProfileState>> ICdpStore.LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken)
        {
            var states = await _inner.LoadProfileStatesAsync(profileIds, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                Entered.TrySetResult();
                await Release.Task.ConfigureAwait(false);
            }

            return states;
        }
    }

    [Fact]
    public async Task AProfileIngestedAndEvictedAfterItsPageWasRead_IsReadAgain_NotReplayedFromTheOldRead()
    {
        var store = new HeldReadStore(new InMemoryCdpStore());
        await using var fixture = new EngineFixture(store, o => o.ProfileCacheCapacity = 16, timer: false);
        Assert.True((await fixture.Cdp.TrackAsync("u1", "purchase")).Accepted);

        // The backfill of the new trait reads u1 (one purchase) and is held there.
        Assert.True((await fixture.Cdp.Definitions.SaveTraitAsync(new("purchases", "events.purchase.count_all"))).Succeeded);
        await store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Meanwhile u1 buys again (a pipelined ingest commit), then twenty others push u1 out of the cache.
        Assert.True((await fixture.Cdp.TrackAsync("u1", "purchase")).Accepted);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await fixture.Cdp.BatchAsync([.. Enumerable.Range(0, 20).Select(i => CdpMessage.Track($"other-{i}", "view"))])).Accepted);

        store.Release.SetResult();
        await fixture.Cdp.Definitions.WaitForBackfillAsync();

        Assert.Equal(Value.Number(2), await fixture.Cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
        var profile = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        var stored = await store.GetTraitValuesAsync(profile!.Id);
        Assert.Equal("2", Assert.Single(stored, v => v.Trait == "purchases").ValueJson);
    }
}
