using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Core.Tests.Differential;
using TinyCdp.Core.Tests.Engine;
using TinyCdp.Keys;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Keys;

/// <summary>API keys are written through the engine's single writer, in order with every other write.</summary>
public sealed class ApiKeyWriterTests
{
    /// <summary>Records what each commit wrote, in commit order, and holds the first commit that stores a message.</summary>
    private sealed class RecordingStore(ICdpStore store) : NonDisposingStore(store), ICdpStore
    {
        private readonly ICdpStore _inner = store;
        private int _held;

        public ConcurrentQueue<string> Commits { get; } = new();

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<IReadOnlyList<long>> ICdpStore.CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
        {
            if (transaction.Events.Count > 0 && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Entered.TrySetResult();
                await Release.Task.ConfigureAwait(false);
            }

            Commits.Enqueue(transaction.Events.Count > 0 ? "events" : transaction.ApiKeys.Count > 0 ? "keys" : "other");
            return await _inner.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task CreateAndRevoke_WhileAnIngestCommitIsInFlight_AreCommittedAfterIt()
    {
        var store = new RecordingStore(new InMemoryCdpStore());
        await using var fixture = new EngineFixture(store, timer: false);
        var keys = fixture.Services.GetRequiredService<IApiKeyService>();

        var ingest = fixture.Cdp.TrackAsync("u1", "purchase");
        await store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var created = keys.CreateAsync(ApiKeyKind.Read, "web");
        store.Release.SetResult();

        Assert.True((await ingest).Accepted);
        var key = await created;
        Assert.True(await keys.RevokeAsync(key.Info.Id));
        Assert.False(await keys.RevokeAsync(key.Info.Id));

        Assert.Equal(["events", "keys", "keys"], store.Commits.Where(c => c != "other"));
        var stored = Assert.Single(await store.GetApiKeysAsync());
        Assert.NotNull(stored.RevokedAt);
    }
}
