using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

public abstract partial class StoreSpecification
{
    [Fact]
    public async Task SegmentSizes_EmptyStore_AreEmpty()
    {
        await using var store = await CreateStoreAsync();

        Assert.Empty(await store.GetSegmentSizesAsync());
        Assert.Empty(await store.GetSegmentSizeHistoryAsync("vip"));
    }

    [Fact]
    public async Task SegmentSizes_CountEntriesMinusExits_PerSegmentAndHour_AcrossCommits()
    {
        await using var store = await CreateStoreAsync();
        var (a, b, c) = (ProfileId(1), ProfileId(2), ProfileId(3));

        // 12:00:00.123 (hour 12) and 13:30 (hour 13); two segments; exits counted as such.
        await CommitAsync(store, transaction => transaction.Changes.AddRange([
            Change(a, "vip", entered: true, at: 0),
            Change(b, "vip", entered: true, at: 10),
            Change(c, "vip", entered: true, at: 20),
            Change(a, "new", entered: true, at: 30),
        ]));
        await CommitAsync(store, transaction => transaction.Changes.AddRange([
            Change(b, "vip", entered: false, at: 30),
            Change(b, "vip", entered: true, at: 5_400),
            Change(c, "vip", entered: false, at: 5_400),
            Change(a, "vip", entered: false, at: 5_401, cause: ChangeCause.Delete),
        ]));

        var sizes = await store.GetSegmentSizesAsync();
        Assert.Equal(2, sizes.Count);
        Assert.Equal(1, sizes["vip"]);
        Assert.Equal(1, sizes["new"]);
        var noon = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new StoredSegmentSizeChange("vip", noon, 3, 1), new StoredSegmentSizeChange("vip", noon.AddHours(1), 1, 2)],
            await store.GetSegmentSizeHistoryAsync("vip"));
        Assert.Equal([new StoredSegmentSizeChange("new", noon, 1, 0)], await store.GetSegmentSizeHistoryAsync("new"));
        Assert.Empty(await store.GetSegmentSizeHistoryAsync("other"));
    }

    [Fact]
    public async Task SegmentSizes_AFailedCommit_CountsNothing()
    {
        await using var store = await CreateStoreAsync();
        var a = ProfileId(1);
        await CommitAsync(store, transaction => transaction.Events.Add(Event(1, a)));

        // The same sequence again fails the whole commit, changes included.
        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, transaction =>
        {
            transaction.Changes.Add(Change(a, "vip", entered: true));
            transaction.Events.Add(Event(1, a, messageId: "again"));
        }));

        Assert.Empty(await store.GetSegmentSizesAsync());
        Assert.Empty(await store.GetSegmentSizeHistoryAsync("vip"));
    }

    [Fact]
    public async Task SegmentSizes_DeletingAProfile_KeepsTheCountsItsChangesMade()
    {
        await using var store = await CreateStoreAsync();
        var a = ProfileId(1);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(a));
            transaction.Memberships.Add(Membership(a, "vip", inSegment: true));
            transaction.Changes.Add(Change(a, "vip", entered: true));
        });

        await CommitAsync(store, transaction => transaction.DeletedProfiles.Add(a));

        Assert.Equal(1, (await store.GetSegmentSizesAsync())["vip"]);
    }
}
