using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// Loading whole profiles in one read: LoadProfileStateAsync and LoadProfileStatesAsync.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task LoadProfileStateAsync_ProfileThatAbsorbedAnother_ReturnsRowAndEverythingItOwns()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var alice = sample.ProfileIds[0];

        var state = await store.LoadProfileStateAsync(alice);

        Assert.NotNull(state);
        Assert.Equal(Profile(alice, 0, version: 2), state.Profile);
        Assert.Equal([User("alice"), Anonymous("a-device"), Anonymous("c-device")], state.Identifiers);
        Assert.Equal(
            [
                Event(1, alice),
                new StoredEvent(3, "m-3", alice, MessageKind.Identify, "$identify", At(3), At(4), At(-100), "{}", """{"email":"carol@example.com","plan":"free"}"""),
                new StoredEvent(5, "m-5", alice, MessageKind.Page, "$page", At(5), At(5), null, """{"name":"Home","category":"Docs"}""", null),
            ],
            state.Events);
        Assert.Equal([Membership(alice, "churn", false, since: 10, updatedAt: 10), Membership(alice, "vip", true)], state.Memberships);
        Assert.Equal([TraitValue(alice, "plan", "\"free\""), TraitValue(alice, "total_spent", "500")], state.TraitValues);
    }

    [Fact]
    public async Task LoadProfileStateAsync_AbsorbedDeletedAndUnknownProfiles_ReturnAbsorbedRowOrNull()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        Guid alice = sample.ProfileIds[0], carol = sample.ProfileIds[2], dave = sample.ProfileIds[3], unknown = sample.ProfileIds[4];

        var absorbed = await store.LoadProfileStateAsync(carol);

        Assert.NotNull(absorbed);
        Assert.Equal(Profile(carol, 2) with { MergedInto = alice }, absorbed.Profile);
        Assert.Empty(absorbed.Identifiers);
        Assert.Empty(absorbed.Events);
        Assert.Empty(absorbed.Memberships);
        Assert.Empty(absorbed.TraitValues);
        Assert.Null(await store.LoadProfileStateAsync(dave));
        Assert.Null(await store.LoadProfileStateAsync(unknown));
    }

    [Fact]
    public async Task LoadProfileStateAsync_EverySampleProfile_EqualsTheSingleReads()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);

        foreach (var id in sample.ProfileIds)
        {
            var state = await store.LoadProfileStateAsync(id);

            var row = await store.GetProfileAsync(id);
            Assert.Equal(row, state?.Profile);
            if (state is not null)
            {
                await AssertEqualsSingleReadsAsync(store, state);
            }
        }
    }

    [Fact]
    public async Task LoadProfileStatesAsync_SampleIdsWithRepeatsAndUnknowns_ReturnsEachStoredProfileOnce()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        Guid alice = sample.ProfileIds[0], bob = sample.ProfileIds[1], carol = sample.ProfileIds[2];

        var states = await store.LoadProfileStatesAsync([.. sample.ProfileIds, alice, bob]);

        Assert.Equal([alice, bob, carol], states.Keys.Order());
        foreach (var (id, state) in states)
        {
            Assert.Equal(id, state.Profile.Id);
            await AssertEqualsSingleReadsAsync(store, state);
        }

        Assert.Equal([Email("e1")], states[bob].Identifiers);
        Assert.Equal([Event(2, bob)], states[bob].Events);
        Assert.Equal([Membership(bob, "churn", true), Membership(bob, "vip", false)], states[bob].Memberships);
        Assert.Empty(states[bob].TraitValues);
        Assert.Equal(alice, states[carol].Profile.MergedInto);
    }

    [Fact]
    public async Task LoadProfileStatesAsync_NoIds_ReturnsNothing()
    {
        await using var store = await CreateStoreAsync();
        await SeedSampleAsync(store);

        Assert.Empty(await store.LoadProfileStatesAsync([]));
    }

    [Fact]
    public async Task LoadProfileStatesAsync_MoreProfilesThanOneStatementTakes_ReturnsEveryOneWithItsOwnRows()
    {
        await using var store = await CreateStoreAsync();
        const int Count = 1_203;
        var ids = Enumerable.Range(1, Count).Select(ProfileId).ToList();
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange(ids.Select((id, i) => Profile(id, i)));
            transaction.Identifiers.AddRange(ids.Select((id, i) => (User($"user-{i + 1}"), id)));

            // Interleaved, so each profile's events are not stored next to each other: 1, 1 + Count, 1 + 2 Count for the first.
            for (var round = 0; round < 3; round++)
            {
                transaction.Events.AddRange(ids.Select((id, i) => Event((round * Count) + i + 1, id)));
            }

            transaction.Memberships.AddRange(ids.Where((_, i) => i % 2 == 0).Select(id => Membership(id, "even", true)));
            transaction.TraitValues.AddRange(ids.Select((id, i) => TraitValue(id, "n", $"{i + 1}")));
        });

        var states = await store.LoadProfileStatesAsync([.. ids.AsEnumerable().Reverse(), ProfileId(Count + 1)]);

        Assert.Equal(ids, states.Keys.Order());
        for (var i = 0; i < Count; i++)
        {
            var id = ids[i];
            var state = states[id];
            Assert.Equal(Profile(id, i), state.Profile);
            Assert.Equal([User($"user-{i + 1}")], state.Identifiers);
            Assert.Equal([Event(i + 1, id), Event(Count + i + 1, id), Event((2 * Count) + i + 1, id)], state.Events);
            Assert.Equal(i % 2 == 0 ? [Membership(id, "even", true)] : Array.Empty<StoredMembership>(), state.Memberships);
            Assert.Equal([TraitValue(id, "n", $"{i + 1}")], state.TraitValues);
        }
    }

    [Fact]
    public async Task LoadProfileStatesAsync_AfterMergeAndDelete_FollowsTheCommittedState()
    {
        await using var store = await CreateStoreAsync();
        Guid survivor = ProfileId(1), absorbed = ProfileId(2), doomed = ProfileId(3);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(survivor, 0), Profile(absorbed, 1), Profile(doomed, 2)]);
            transaction.Identifiers.AddRange([(User("s"), survivor), (Anonymous("a"), absorbed), (User("d"), doomed)]);
            transaction.Events.AddRange([Event(1, absorbed), Event(2, survivor), Event(3, doomed), Event(4, absorbed)]);
            transaction.TraitValues.AddRange([TraitValue(absorbed, "t", "1"), TraitValue(doomed, "t", "2")]);
        });

        await CommitAsync(store, transaction =>
        {
            transaction.Merges.Add(new StoredMerge(survivor, absorbed, At(10), "m-merge"));
            transaction.DeletedProfiles.Add(doomed);
        });
        var states = await store.LoadProfileStatesAsync([survivor, absorbed, doomed]);

        Assert.Equal([survivor, absorbed], states.Keys.Order());
        Assert.Equal([User("s"), Anonymous("a")], states[survivor].Identifiers);
        Assert.Equal([Event(1, survivor), Event(2, survivor), Event(4, survivor)], states[survivor].Events);
        Assert.Equal([TraitValue(survivor, "t", "1")], states[survivor].TraitValues);
        Assert.Equal(survivor, states[absorbed].Profile.MergedInto);
        Assert.Empty(states[absorbed].Events);
    }

    /// <summary>A loaded state holds exactly what the single reads answer, in their order.</summary>
    private static async Task AssertEqualsSingleReadsAsync(ICdpStore store, StoredProfileState state)
    {
        var id = state.Profile.Id;
        Assert.Equal(await store.GetProfileAsync(id), state.Profile);
        Assert.Equal(await store.GetIdentifiersAsync(id), state.Identifiers);
        Assert.Equal(await store.GetEventsAsync(id), state.Events);
        Assert.Equal(await store.GetMembershipsAsync(id), state.Memberships);
        Assert.Equal(await store.GetTraitValuesAsync(id), state.TraitValues);
    }
}
