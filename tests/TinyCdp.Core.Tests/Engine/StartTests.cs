using TinyCdp.Core.Tests.Differential;
using TinyCdp.Evaluation;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>Starting: callers that arrive before the start keep their order; a failed start is tried again.</summary>
public sealed class StartTests
{
    /// <summary>A store whose migration waits for the test, and fails while told to.</summary>
    private sealed class GatedStore(ICdpStore inner) : NonDisposingStore(inner)
    {
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Failing { get; set; }

        public override async Task MigrateAsync(CancellationToken cancellationToken = default)
        {
            await Open.Task;
            if (Failing)
            {
                throw new InvalidOperationException("the database is away");
            }

            await base.MigrateAsync(cancellationToken);
        }
    }

    [Fact]
    public async Task WritesSentBeforeTheStartFinishes_AreAppliedInTheOrderTheyWereSent()
    {
        var store = new GatedStore(new InMemoryCdpStore());
        await using var fixture = new EngineFixture(store, timer: false);
        var at = EngineFixture.Start.AddMinutes(-1);

        // Identifies with the same timestamp: the last one sent wins the tie (SEMANTICS §2). Ten are
        // sent while the start waits, ten more the moment it is done, while the first ten may still
        // be on their way.
        Task<TinyCdp.Engine.BatchResult> Send(int i) => fixture.Cdp.IdentifyAsync("u1", Value.Object([KeyValuePair.Create("plan", Value.Number(i))]), at);
        var sends = Enumerable.Range(0, 10).Select(Send).ToList();
        store.Open.SetResult();
        await ((TinyCdp.Engine.CdpEngine)fixture.Cdp).StartAsync(); // returns once the start the sends began has finished

        sends.AddRange(Enumerable.Range(10, 10).Select(Send));
        await Task.WhenAll(sends);

        var profile = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        Assert.Equal(Value.Number(19), profile!.Properties.Member("plan"));
        var sequences = sends.Select(s => s.Result.Items[0].Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task AWriteWhenTheStoreCannotStart_FailsAndIsNeverStored_AndTheEngineStartsOnceTheStoreReturns()
    {
        var store = new GatedStore(new InMemoryCdpStore()) { Failing = true };
        store.Open.SetResult();
        await using var fixture = new EngineFixture(store, timer: false);

        var failure = await Assert.ThrowsAsync<TinyCdpException>(() => fixture.Cdp.TrackAsync("u1", "purchase"));
        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, failure.Code);
        Assert.Equal("TinyCdp could not start: the store is unreachable.", failure.Message);

        store.Failing = false;
        fixture.Clock.Advance(TimeSpan.FromSeconds(1.1)); // A failed start is tried again at most once a second, on the engine's clock.
        Assert.True((await fixture.Cdp.TrackAsync("u1", "purchase")).Accepted);

        var profile = await fixture.Cdp.GetProfileAsync(ProfileReference.ByUserId("u1"));
        Assert.Equal(1, profile!.EventCounts.Total);
    }
}
