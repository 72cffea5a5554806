using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

/// <summary>
/// The specification for stores that keep their data outside the process: everything in
/// <see cref="StoreSpecification"/>, plus what must survive closing and reopening the database.
/// </summary>
public abstract class DurableStoreSpecification : StoreSpecification
{
    /// <summary>Disposes <paramref name="store"/> and opens the same database again, migrated.</summary>
    protected abstract Task<ICdpStore> ReopenAsync(ICdpStore store);

    /// <summary>A fresh, migrated, empty store in the store's weakest durability setting (its fastest commits).</summary>
    protected abstract Task<ICdpStore> CreateRelaxedStoreAsync();

    [Fact]
    public async Task ReopenAsync_AfterCommits_EverythingIsThere()
    {
        var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        store = await ReopenAsync(store);
        await using (store)
        {
            Assert.Equal(before, await DumpAsync(store, sample));
        }
    }

    [Fact]
    public async Task ReopenAsync_AfterCommits_ChangeCursorsKeepIncreasing()
    {
        var store = await CreateStoreAsync();
        var first = await CommitAsync(store, transaction => transaction.Changes.AddRange([Change(ProfileId(1), "vip", true), Change(ProfileId(2), "vip", true)]));

        store = await ReopenAsync(store);
        await using (store)
        {
            var second = await CommitAsync(store, transaction => transaction.Changes.Add(Change(ProfileId(3), "vip", true)));

            Assert.True(Assert.Single(second) > first[^1]);
            Assert.Equal([.. first, .. second], (await store.ReadChangesAsync(0, 10)).Select(change => change.Cursor));
        }
    }

    [Fact]
    public async Task ReopenAsync_AfterDeletingTheNewestEvents_LastSequenceDoesNotGoDown()
    {
        var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Events.AddRange([Event(1, ProfileId(1)), Event(2, ProfileId(2))]));
        await CommitAsync(store, transaction => transaction.DeletedProfiles.Add(ProfileId(2)));

        store = await ReopenAsync(store);
        await using (store)
        {
            Assert.Equal(2, await store.GetLastSequenceAsync());
        }
    }

    [Fact]
    public async Task MigrateAsync_AgainAfterReopen_KeepsEverything()
    {
        var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        store = await ReopenAsync(store);
        await using (store)
        {
            await store.MigrateAsync();
            await store.MigrateAsync();

            Assert.Equal(before, await DumpAsync(store, sample));
            Assert.True(await store.IsReachableAsync());
        }
    }

    [Fact]
    public async Task ReopenAsync_AfterAFailedCommit_KeepsNothingOfIt()
    {
        var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);
        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(ProfileId(60)));
            transaction.Events.AddRange([Event(60, ProfileId(60), messageId: "dup"), Event(61, ProfileId(60), messageId: "dup-2")]);
            transaction.MessageIds.AddRange([("dup", At(60)), ("dup", At(61))]);
        }));

        store = await ReopenAsync(store);
        await using (store)
        {
            Assert.Equal(before, await DumpAsync(store, sample));
            Assert.Null(await store.GetProfileAsync(ProfileId(60)));
        }
    }

    [Fact]
    public async Task CreateRelaxedStoreAsync_CommitsAndReopens_RoundTripsEverything()
    {
        var store = await CreateRelaxedStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        store = await ReopenAsync(store);
        await using (store)
        {
            Assert.Equal(before, await DumpAsync(store, sample));
        }
    }
}
