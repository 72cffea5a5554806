using TinyCdp.Definitions;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// A commit is all or nothing, and reads run alongside commits.
public abstract partial class StoreSpecification
{
    /// <summary>A transaction that writes to every table before its last events break it.</summary>
    private static StoreTransaction EverythingThen(Action<StoreTransaction> breakIt)
    {
        var transaction = new StoreTransaction();
        Guid fresh = ProfileId(50), alice = ProfileId(1), bob = ProfileId(2);
        transaction.Profiles.AddRange([Profile(fresh), Profile(alice, version: 9)]);
        transaction.Merges.Add(new StoredMerge(alice, bob, At(60), "m-bad-merge"));
        transaction.Identifiers.AddRange([(User("fresh"), fresh), (Anonymous("a-device"), fresh)]);
        transaction.Events.AddRange([Event(100, fresh, messageId: "m-100"), Event(101, alice, messageId: "m-101")]);
        transaction.MessageIds.AddRange([("m-100", At(100)), ("m-1", At(100))]);
        transaction.Memberships.AddRange([Membership(fresh, "vip", true), Membership(bob, "churn", false)]);
        transaction.TraitValues.AddRange([TraitValue(fresh, "total_spent", "1"), TraitValue(alice, "total_spent", "999")]);
        transaction.Changes.Add(Change(fresh, "vip", true));
        transaction.DeletedProfiles.Add(bob);
        transaction.Suppressions.Add(User("fresh"));
        transaction.Definitions.Add(Definition(DefinitionKind.Trait, "new_trait", 4));
        transaction.DeletedDefinitions.Add((DefinitionKind.Segment, "vip"));
        transaction.DefinitionChanges.Add(new StoredDefinitionChange(4, DefinitionKind.Trait, "new_trait", "app", At(60), null, "{}"));
        transaction.CatalogVersion = 4;
        transaction.ForgetMessageIdsBefore = At(1000);
        breakIt(transaction);
        return transaction;
    }

    private async Task AssertRejectedWithoutTraceAsync(Action<StoreTransaction> breakIt)
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var probe = sample with
        {
            ProfileIds = [.. sample.ProfileIds, ProfileId(50)],
            Identifiers = [.. sample.Identifiers, User("fresh")],
            MessageIds = [.. sample.MessageIds, "m-100", "m-101"],
        };
        var before = await DumpAsync(store, probe);
        var lastCursor = (await store.ReadChangesAsync(0, 1000))[^1].Cursor;

        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitAsync(EverythingThen(breakIt)));

        Assert.Equal(before, await DumpAsync(store, probe));

        // The store still works, and cursors keep increasing past the failed commit.
        var cursors = await CommitAsync(store, transaction =>
        {
            transaction.Events.Add(Event(100, ProfileId(50), messageId: "m-100"));
            transaction.Changes.Add(Change(ProfileId(50), "vip", true));
        });
        Assert.True(Assert.Single(cursors) > lastCursor);
        Assert.Equal([Event(100, ProfileId(50), messageId: "m-100")], await store.GetEventsAsync(ProfileId(50)));
    }

    [Fact]
    public Task CommitAsync_DuplicateMessageIdWithinTheTransaction_ThrowsAndChangesNothing() =>
        AssertRejectedWithoutTraceAsync(transaction => transaction.MessageIds.Add(("m-100", At(101))));

    [Fact]
    public Task CommitAsync_RememberingAMessageIdStillRemembered_ThrowsAndChangesNothing() =>
        AssertRejectedWithoutTraceAsync(transaction => transaction.MessageIds.Add(("m-2", At(101))));

    [Fact]
    public Task CommitAsync_EventWithAStoredSequence_ThrowsAndChangesNothing() =>
        AssertRejectedWithoutTraceAsync(transaction => transaction.Events.Add(Event(5, ProfileId(50), messageId: "m-new")));

    [Fact]
    public Task CommitAsync_NullRequiredValue_ThrowsAndChangesNothing() =>
        AssertRejectedWithoutTraceAsync(transaction => transaction.DefinitionChanges.Add(
            new StoredDefinitionChange(5, DefinitionKind.Flag, null!, "app", At(61), null, "{}")));

    [Fact]
    public Task CommitAsync_UndefinedEnumValue_ThrowsAndChangesNothing() =>
        AssertRejectedWithoutTraceAsync(transaction => transaction.DefinitionChanges.Add(
            new StoredDefinitionChange(5, (DefinitionKind)42, "k", "app", At(61), null, "{}")));

    [Fact]
    public async Task CommitAsync_AfterACanceledCommit_StoreIsUnchanged()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CommitAsync(EverythingThen(_ => { }), canceled.Token));

        Assert.Equal(before, await DumpAsync(store, sample));
    }

    [Fact]
    public async Task Reads_DuringCommits_NeverFailAndNeverSeeHalfACommit()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        const int Commits = 30;
        const int EventsPerCommit = 4;
        using var done = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            try
            {
                for (var commit = 0; commit < Commits; commit++)
                {
                    await CommitAsync(store, transaction =>
                    {
                        transaction.Profiles.Add(Profile(ProfileId(1000 + commit)));
                        for (var i = 0; i < EventsPerCommit; i++)
                        {
                            var sequence = (commit * EventsPerCommit) + i + 1;
                            transaction.Events.Add(Event(sequence, id));
                            transaction.MessageIds.Add(($"m-{sequence}", At(sequence)));
                            transaction.Changes.Add(Change(id, $"s-{i}", true));
                        }
                    });
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        });

        async Task<int> ReadUntilDoneAsync()
        {
            var reads = 0;
            int lastEvents = 0, lastChanges = 0;
            do
            {
                var events = (await store.GetEventsAsync(id)).Count;
                var changes = (await store.ReadChangesAsync(0, 10_000)).Count;
                var profiles = (await store.ListProfileIdsAsync(null, 10_000)).Count;
                var known = (await store.FindKnownMessageIdsAsync([.. Enumerable.Range(1, Commits * EventsPerCommit).Select(n => $"m-{n}")])).Count;
                var last = await store.GetLastSequenceAsync();
                Assert.Equal(0, events % EventsPerCommit);
                Assert.Equal(0, changes % EventsPerCommit);
                Assert.Equal(0, known % EventsPerCommit);
                Assert.Equal(0, last % EventsPerCommit);
                Assert.True(events >= lastEvents && changes >= lastChanges && profiles >= 0);
                (lastEvents, lastChanges) = (events, changes);
                reads++;
            }
            while (!done.IsCancellationRequested);

            return reads;
        }

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(ReadUntilDoneAsync)).ToArray();
        await writer;
        var reads = await Task.WhenAll(readers);

        Assert.All(reads, count => Assert.True(count > 0));
        Assert.Equal(Commits * EventsPerCommit, (await store.GetEventsAsync(id)).Count);
        Assert.Equal(Commits, await store.CountProfilesAsync());
    }

    [Fact]
    public async Task Reads_AfterDisposal_ThrowObjectDisposed()
    {
        var store = await CreateStoreAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetProfileAsync(ProfileId(1)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CommitAsync(new StoreTransaction()));
        Assert.False(await store.IsReachableAsync());
    }
}
