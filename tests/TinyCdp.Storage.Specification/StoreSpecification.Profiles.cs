using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// Merges, deletion, and listing live profiles.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task CommitAsync_Merge_MovesEventsIdentifiersAndTraitValuesToTheSurvivor()
    {
        await using var store = await CreateStoreAsync();
        Guid survivor = ProfileId(1), absorbed = ProfileId(2), bystander = ProfileId(3);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(survivor, 0), Profile(absorbed, 5), Profile(bystander, 6)]);
            transaction.Identifiers.AddRange([(User("u"), survivor), (Anonymous("d"), absorbed), (Email("e"), absorbed), (Anonymous("x"), bystander)]);
            transaction.Events.AddRange([Event(1, survivor), Event(2, absorbed), Event(3, bystander), Event(4, survivor), Event(5, absorbed)]);
            transaction.TraitValues.AddRange([
                TraitValue(survivor, "shared", "\"survivor\""), TraitValue(absorbed, "shared", "\"absorbed\""), TraitValue(absorbed, "only_absorbed", "1")]);
            transaction.Memberships.AddRange([Membership(survivor, "vip", true), Membership(absorbed, "vip", true), Membership(absorbed, "churn", true)]);
        });

        await CommitAsync(store, transaction => transaction.Merges.Add(new StoredMerge(survivor, absorbed, At(10), "m-alias")));

        Assert.Equal([Event(1, survivor), Event(2, survivor), Event(4, survivor), Event(5, survivor)], await store.GetEventsAsync(survivor));
        Assert.Empty(await store.GetEventsAsync(absorbed));
        Assert.Equal([Event(3, bystander)], await store.GetEventsAsync(bystander));
        Assert.Equal([User("u"), Anonymous("d"), Email("e")], await store.GetIdentifiersAsync(survivor));
        Assert.Empty(await store.GetIdentifiersAsync(absorbed));
        Assert.Equal(survivor, (await store.FindProfilesAsync([Email("e")]))[Email("e")]);
        Assert.Equal(
            [TraitValue(survivor, "only_absorbed", "1"), TraitValue(survivor, "shared", "\"survivor\"")],
            await store.GetTraitValuesAsync(survivor));
        Assert.Empty(await store.GetTraitValuesAsync(absorbed));
        Assert.Empty(await store.GetMembershipsAsync(absorbed));
        Assert.Equal([Membership(survivor, "vip", true)], await store.GetMembershipsAsync(survivor));
        Assert.Equal([Membership(survivor, "vip", true)], await store.ListSegmentMembersAsync("vip", null, 10));
        Assert.Empty(await store.ListSegmentMembersAsync("churn", null, 10));
        Assert.Equal(Profile(absorbed, 5) with { MergedInto = survivor }, await store.GetProfileAsync(absorbed));
        Assert.Equal(Profile(survivor, 0), await store.GetProfileAsync(survivor));
        Assert.Equal([new StoredMerge(survivor, absorbed, At(10), "m-alias")], await store.GetMergesAsync(survivor));
        Assert.Empty(await store.GetMergesAsync(absorbed));
    }

    [Fact]
    public async Task CommitAsync_MergeInSameTransactionAsProfiles_AppliesAfterProfilesAndBeforeLaterRows()
    {
        await using var store = await CreateStoreAsync();
        Guid survivor = ProfileId(1), absorbed = ProfileId(2);
        await CommitAsync(store, transaction => transaction.Events.Add(Event(1, absorbed)));

        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(survivor), Profile(absorbed)]);
            transaction.Merges.Add(new StoredMerge(survivor, absorbed, At(1), "m-2"));
            transaction.Events.Add(Event(2, survivor));
            transaction.Memberships.Add(Membership(survivor, "vip", true));
        });

        Assert.Equal(survivor, (await store.GetProfileAsync(absorbed))!.MergedInto);
        Assert.Equal([Event(1, survivor), Event(2, survivor)], await store.GetEventsAsync(survivor));
        Assert.Equal([Membership(survivor, "vip", true)], await store.GetMembershipsAsync(survivor));
    }

    [Fact]
    public async Task CommitAsync_MergeOfAProfileThatAbsorbedOthers_RepointsThemToTheNewSurvivor()
    {
        await using var store = await CreateStoreAsync();
        Guid first = ProfileId(1), middle = ProfileId(2), last = ProfileId(3);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(first, 0), Profile(middle, 1), Profile(last, 2)]);
            transaction.Events.AddRange([Event(1, first), Event(2, middle), Event(3, last)]);
            transaction.Identifiers.AddRange([(Anonymous("first"), first), (Anonymous("middle"), middle), (Anonymous("last"), last)]);
        });
        await CommitAsync(store, transaction => transaction.Merges.Add(new StoredMerge(middle, last, At(10), "m-a")));

        await CommitAsync(store, transaction => transaction.Merges.Add(new StoredMerge(first, middle, At(20), "m-b")));

        Assert.Equal(first, (await store.GetProfileAsync(middle))!.MergedInto);
        Assert.Equal(first, (await store.GetProfileAsync(last))!.MergedInto);
        Assert.Equal([Event(1, first), Event(2, first), Event(3, first)], await store.GetEventsAsync(first));
        Assert.Equal([Anonymous("first"), Anonymous("last"), Anonymous("middle")], await store.GetIdentifiersAsync(first));
        Assert.Equal([new StoredMerge(first, middle, At(20), "m-b")], await store.GetMergesAsync(first));
        Assert.Equal([new StoredMerge(middle, last, At(10), "m-a")], await store.GetMergesAsync(middle));
        Assert.Equal([first], await store.ListProfileIdsAsync(null, 10));
    }

    [Fact]
    public async Task GetMergesAsync_SeveralMerges_ReturnsThemOldestFirst()
    {
        await using var store = await CreateStoreAsync();
        var survivor = ProfileId(1);
        await CommitAsync(store, transaction => transaction.Profiles.AddRange(Enumerable.Range(1, 5).Select(n => Profile(ProfileId(n), n))));

        await CommitAsync(store, transaction => transaction.Merges.AddRange([
            new StoredMerge(survivor, ProfileId(2), At(30), "m-30"), new StoredMerge(survivor, ProfileId(3), At(10), "m-10")]));
        await CommitAsync(store, transaction => transaction.Merges.AddRange([
            new StoredMerge(survivor, ProfileId(4), At(20), "m-20a"), new StoredMerge(survivor, ProfileId(5), At(20), "m-20b")]));

        Assert.Equal(
            ["m-10", "m-20a", "m-20b", "m-30"],
            (await store.GetMergesAsync(survivor)).Select(merge => merge.MessageId));
    }

    [Fact]
    public async Task CommitAsync_MergeIntoItself_ThrowsAndChangesNothing()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, transaction =>
        {
            transaction.Events.Add(Event(100, ProfileId(1)));
            transaction.Merges.Add(new StoredMerge(ProfileId(2), ProfileId(2), At(50), "m-self"));
        }));

        Assert.Equal(before, await DumpAsync(store, sample));
    }

    [Fact]
    public async Task CommitAsync_MergeIntoAnAbsorbedProfile_ThrowsAndChangesNothing()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        // The sample's profile 3 was absorbed by profile 1: it cannot absorb anyone.
        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(ProfileId(5)));
            transaction.Merges.Add(new StoredMerge(ProfileId(3), ProfileId(2), At(50), "m-bad"));
        }));

        Assert.Equal(before, await DumpAsync(store, sample));
        Assert.Null(await store.GetProfileAsync(ProfileId(5)));
    }

    [Fact]
    public async Task CommitAsync_DeletedProfile_RemovesEverythingItOwns()
    {
        await using var store = await CreateStoreAsync();
        Guid doomed = ProfileId(1), absorbed = ProfileId(2), other = ProfileId(3);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(doomed), Profile(absorbed), Profile(other)]);
            transaction.Identifiers.AddRange([(User("doomed"), doomed), (Anonymous("absorbed"), absorbed), (User("other"), other)]);
            transaction.Events.AddRange([Event(1, doomed), Event(2, absorbed), Event(3, other)]);
            transaction.MessageIds.AddRange([("m-1", At(1)), ("m-2", At(2)), ("m-3", At(3))]);
            transaction.Memberships.AddRange([Membership(doomed, "vip", true), Membership(other, "vip", true)]);
            transaction.TraitValues.AddRange([TraitValue(doomed, "t", "1"), TraitValue(absorbed, "u", "2"), TraitValue(other, "t", "3")]);
            transaction.Changes.Add(Change(doomed, "vip", true));
        });
        await CommitAsync(store, transaction => transaction.Merges.Add(new StoredMerge(doomed, absorbed, At(5), "m-merge")));

        await CommitAsync(store, transaction =>
        {
            transaction.Changes.Add(Change(doomed, "vip", false, at: 9, cause: ChangeCause.Delete));
            transaction.DeletedProfiles.Add(doomed);
            transaction.Suppressions.AddRange([User("doomed"), Anonymous("absorbed")]);
        });

        foreach (var id in new[] { doomed, absorbed })
        {
            Assert.Null(await store.GetProfileAsync(id));
            Assert.Empty(await store.GetIdentifiersAsync(id));
            Assert.Empty(await store.GetEventsAsync(id));
            Assert.Empty(await store.GetMergesAsync(id));
            Assert.Empty(await store.GetMembershipsAsync(id));
            Assert.Empty(await store.GetTraitValuesAsync(id));
        }

        Assert.Empty(await store.FindProfilesAsync([User("doomed"), Anonymous("absorbed")]));
        Assert.Equal(2, (await store.FindSuppressedAsync([User("doomed"), Anonymous("absorbed"), User("other")])).Count);
        Assert.Equal([other], await store.ListProfileIdsAsync(null, 10));
        Assert.Equal(1, await store.CountProfilesAsync());
        Assert.Equal([Membership(other, "vip", true)], await store.ListSegmentMembersAsync("vip", null, 10));

        // What the deleted profile does not own stays: the other profile, the dedupe window, the change feed.
        Assert.Equal(Profile(other), await store.GetProfileAsync(other));
        Assert.Equal([Event(3, other)], await store.GetEventsAsync(other));
        Assert.Equal([TraitValue(other, "t", "3")], await store.GetTraitValuesAsync(other));
        Assert.Equal(3, (await store.FindKnownMessageIdsAsync(["m-1", "m-2", "m-3"])).Count);
        Assert.Equal([true, false], (await store.ReadChangesAsync(0, 10)).Select(change => change.Entered));
    }

    [Fact]
    public async Task CommitAsync_DeletedProfileMessageId_CanBeStoredOnANewEvent()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Events.Add(Event(1, ProfileId(1), messageId: "reused")));
        await CommitAsync(store, transaction => transaction.DeletedProfiles.Add(ProfileId(1)));

        await CommitAsync(store, transaction => transaction.Events.Add(Event(2, ProfileId(2), messageId: "reused")));

        Assert.Equal([Event(2, ProfileId(2), messageId: "reused")], await store.GetEventsAsync(ProfileId(2)));
    }

    [Fact]
    public async Task CommitAsync_DeletingUnknownProfile_ChangesNothing()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        await CommitAsync(store, transaction => transaction.DeletedProfiles.Add(ProfileId(99)));

        Assert.Equal(before, await DumpAsync(store, sample));
    }

    [Fact]
    public async Task SampleProfileIdsAsync_FewerThanTheLimit_ReturnsEveryLiveIdAscending()
    {
        await using var store = await CreateStoreAsync();
        var live = await SeedForSamplingAsync(store, 10);

        Assert.Equal(live, await store.SampleProfileIdsAsync(8));
        Assert.Equal(live, await store.SampleProfileIdsAsync(100));
        Assert.Empty(await store.SampleProfileIdsAsync(0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SampleProfileIdsAsync(-1));
    }

    [Fact]
    public async Task SampleProfileIdsAsync_MoreThanTheLimit_ReturnsThatManyDistinctLiveIdsAscending()
    {
        await using var store = await CreateStoreAsync();
        var live = (await SeedForSamplingAsync(store, 40)).ToHashSet();

        var seen = new HashSet<Guid>();
        for (var round = 0; round < 20; round++)
        {
            var sample = await store.SampleProfileIdsAsync(5);
            Assert.Equal(5, sample.Count);
            Assert.Equal(5, sample.Distinct().Count());
            Assert.Equal(sample.Order(), sample);
            Assert.All(sample, id => Assert.Contains(id, live));
            seen.UnionWith(sample);
        }

        // 100 draws of 5 out of 38: a sampler stuck on a few ids (or on one end of an order) would not get here.
        Assert.True(seen.Count >= 25, $"only {seen.Count} distinct ids in 20 samples");
    }

    /// <summary>
    /// <paramref name="count"/> profiles with ids like the engine's (time-ordered, random last bytes: stores may
    /// sample by those), of which the third is then absorbed into the first and the seventh deleted; the live ids, ascending.
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> SeedForSamplingAsync(ICdpStore store, int count)
    {
        var ids = Enumerable.Range(0, count).Select(n => Guid.CreateVersion7(At(n))).ToList();
        await CommitAsync(store, transaction => transaction.Profiles.AddRange(ids.Select(id => Profile(id))));
        await CommitAsync(store, transaction =>
        {
            transaction.Merges.Add(new StoredMerge(ids[0], ids[2], At(1), "m"));
            transaction.DeletedProfiles.Add(ids[6]);
        });
        return [.. ids.Where((_, n) => n is not (2 or 6)).Order()];
    }

    [Fact]
    public async Task ListProfileIdsAsync_Pages_AscendingLiveIdsAfterTheGivenOne()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange(new[] { 5, 1, 4, 2, 3, 6 }.Select(n => Profile(ProfileId(n))));
            transaction.Profiles.Add(Profile(ProfileId(7), mergedInto: ProfileId(1)));
        });
        await CommitAsync(store, transaction => transaction.Merges.Add(new StoredMerge(ProfileId(2), ProfileId(4), At(1), "m")));

        Assert.Equal([ProfileId(1), ProfileId(2)], await store.ListProfileIdsAsync(null, 2));
        Assert.Equal([ProfileId(3), ProfileId(5)], await store.ListProfileIdsAsync(ProfileId(2), 2));
        Assert.Equal([ProfileId(6)], await store.ListProfileIdsAsync(ProfileId(5), 2));
        Assert.Empty(await store.ListProfileIdsAsync(ProfileId(6), 2));
        Assert.Equal([ProfileId(5), ProfileId(6)], await store.ListProfileIdsAsync(ProfileId(4), 10));
        Assert.Equal(5, await store.CountProfilesAsync());
    }

    [Fact]
    public async Task ListProfileIdsAsync_RandomIds_AscendingLikeGuidCompareTo()
    {
        await using var store = await CreateStoreAsync();
        var random = new Random(20260301);
        var ids = Enumerable.Range(0, 200).Select(_ =>
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }).ToList();

        // Ids that differ only in one byte, where byte order and little-endian layouts disagree.
        ids.AddRange([
            Guid.Parse("00000001-0000-0000-0000-000000000000"), Guid.Parse("01000000-0000-0000-0000-000000000000"),
            Guid.Parse("00000000-0001-0000-0000-000000000000"), Guid.Parse("00000000-0100-0000-0000-000000000000"),
            Guid.Parse("00000000-0000-0000-0000-000000000001"), Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff"),
            Guid.Empty]);
        await CommitAsync(store, transaction => transaction.Profiles.AddRange(ids.Select(id => Profile(id))));

        var paged = new List<Guid>();
        Guid? after = null;
        while (await store.ListProfileIdsAsync(after, 17) is { Count: > 0 } page)
        {
            paged.AddRange(page);
            after = page[^1];
        }

        Assert.Equal(ids.Order(), paged);
        Assert.Equal(ids.Count, await store.CountProfilesAsync());
    }
}
