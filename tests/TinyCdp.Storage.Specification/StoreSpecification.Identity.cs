using TinyCdp.Identity;

namespace TinyCdp.Storage.Specification;

// Identifiers, dedupe ids and suppressions.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task GetIdentifiersAsync_AfterCommit_ReturnsOwnIdentifiersByKindThenValue()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);

        await CommitAsync(store, transaction => transaction.Identifiers.AddRange([
            (Email("ffff"), id), (Anonymous("b-device"), id), (User("u-1"), id), (Anonymous("B-device"), id),
            (Anonymous("a-device"), id), (User("someone-else"), ProfileId(2))]));

        Assert.Equal(
            [User("u-1"), Anonymous("B-device"), Anonymous("a-device"), Anonymous("b-device"), Email("ffff")],
            await store.GetIdentifiersAsync(id));
    }

    [Fact]
    public async Task CommitAsync_IdentifierAttachedToAnotherProfile_MovesIt()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Identifiers.AddRange([(Anonymous("d"), ProfileId(1)), (User("u"), ProfileId(1))]));

        await CommitAsync(store, transaction => transaction.Identifiers.Add((Anonymous("d"), ProfileId(2))));

        Assert.Equal([User("u")], await store.GetIdentifiersAsync(ProfileId(1)));
        Assert.Equal([Anonymous("d")], await store.GetIdentifiersAsync(ProfileId(2)));
        Assert.Equal(ProfileId(2), (await store.FindProfilesAsync([Anonymous("d")]))[Anonymous("d")]);
    }

    [Fact]
    public async Task FindProfilesAsync_MixedIdentifiers_ReturnsOnlyOwnedOnesExactly()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Identifiers.AddRange([
            (User("same"), ProfileId(1)), (Anonymous("same"), ProfileId(2)), (Email("hash"), ProfileId(3))]));

        var found = await store.FindProfilesAsync([
            User("same"), Anonymous("same"), Email("same"), Email("hash"), User("SAME"), User("same "), User("unknown"), User("same")]);

        Assert.Equal(3, found.Count);
        Assert.Equal(ProfileId(1), found[User("same")]);
        Assert.Equal(ProfileId(2), found[Anonymous("same")]);
        Assert.Equal(ProfileId(3), found[Email("hash")]);
    }

    [Fact]
    public async Task FindProfilesAsync_ThousandsOfIdentifiers_FindsEveryOwnedOne()
    {
        await using var store = await CreateStoreAsync();
        var owned = Enumerable.Range(0, 1500).Select(i => (Identifier: Anonymous($"d-{i}"), ProfileId: ProfileId(i % 7))).ToList();
        await CommitAsync(store, transaction => transaction.Identifiers.AddRange(owned));

        var found = await store.FindProfilesAsync([.. owned.Select(entry => entry.Identifier), .. Enumerable.Range(0, 1500).Select(i => User($"d-{i}"))]);

        Assert.Equal(owned.ToDictionary(entry => entry.Identifier, entry => entry.ProfileId), found.ToDictionary());
    }

    [Fact]
    public async Task FindKnownMessageIdsAsync_AfterCommit_ReturnsOnlyRememberedIds()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.MessageIds.AddRange([("m-1", At(0)), ("m-2", At(1)), ("M-3", At(2))]));

        var known = await store.FindKnownMessageIdsAsync(["m-1", "m-3", "M-3", "m-2 ", "m-1", "unknown"]);

        Assert.Equal(["M-3", "m-1"], known.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FindKnownMessageIdsAsync_IdOnlyOnAStoredEvent_IsNotKnown()
    {
        // Dedupe reads the remembered ids (the window), not the events, which keep their ids for ever.
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Events.Add(Event(1, ProfileId(1), messageId: "only-on-event")));

        Assert.Empty(await store.FindKnownMessageIdsAsync(["only-on-event"]));
    }

    [Fact]
    public async Task FindKnownMessageIdsAsync_ThousandsOfIds_FindsEveryRememberedOne()
    {
        await using var store = await CreateStoreAsync();
        var remembered = Enumerable.Range(0, 2500).Where(i => i % 3 == 0).Select(i => $"m-{i}").ToList();
        await CommitAsync(store, transaction => transaction.MessageIds.AddRange(remembered.Select(id => (id, At(0)))));

        var known = await store.FindKnownMessageIdsAsync([.. Enumerable.Range(0, 2500).Select(i => $"m-{i}")]);

        Assert.Equal(remembered.Order(StringComparer.Ordinal), known.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ForgetMessageIdsBefore_LaterCommit_ForgetsOnlyIdsReceivedStrictlyBefore()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.MessageIds.AddRange([
            ("old", At(0)), ("just-before", At(9.999)), ("at-cutoff", At(10)), ("new", At(20))]));

        await CommitAsync(store, transaction => transaction.ForgetMessageIdsBefore = At(10));

        Assert.Equal(["at-cutoff", "new"], (await store.FindKnownMessageIdsAsync(["old", "just-before", "at-cutoff", "new"])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ForgetMessageIdsBefore_SameTransaction_AppliesAfterRememberingIds()
    {
        await using var store = await CreateStoreAsync();

        await CommitAsync(store, transaction =>
        {
            transaction.MessageIds.AddRange([("stale", At(0)), ("fresh", At(30))]);
            transaction.ForgetMessageIdsBefore = At(10);
        });

        Assert.Equal(["fresh"], await store.FindKnownMessageIdsAsync(["stale", "fresh"]));
    }

    [Fact]
    public async Task ForgetMessageIdsBefore_ForgottenId_CanBeRememberedAndStoredAgain()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(ProfileId(1)));
            transaction.Events.Add(Event(1, ProfileId(1), messageId: "m"));
            transaction.MessageIds.Add(("m", At(0)));
        });
        await CommitAsync(store, transaction => transaction.ForgetMessageIdsBefore = At(10));

        // Past the dedupe window the same message id is a new message: stored again, remembered again.
        await CommitAsync(store, transaction =>
        {
            transaction.Events.Add(Event(2, ProfileId(1), messageId: "m"));
            transaction.MessageIds.Add(("m", At(20)));
        });

        Assert.Equal(["m"], await store.FindKnownMessageIdsAsync(["m"]));
        Assert.Equal([1L, 2L], (await store.GetEventsAsync(ProfileId(1))).Select(e => e.Sequence));
    }

    [Fact]
    public async Task ForgetMessageIdsBefore_ForgottenIds_KeepTheirEvents()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Events.Add(Event(1, ProfileId(1)));
            transaction.MessageIds.Add(("m-1", At(1)));
        });

        await CommitAsync(store, transaction => transaction.ForgetMessageIdsBefore = At(100));

        Assert.Empty(await store.FindKnownMessageIdsAsync(["m-1"]));
        Assert.Equal([Event(1, ProfileId(1))], await store.GetEventsAsync(ProfileId(1)));
    }

    [Fact]
    public async Task FindSuppressedAsync_AfterSuppression_ReturnsOnlySuppressedIdentifiers()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Suppressions.AddRange([User("gone"), Email("hash")]));
        await CommitAsync(store, transaction => transaction.Suppressions.Add(User("gone")));

        var suppressed = await store.FindSuppressedAsync([User("gone"), Anonymous("gone"), Email("hash"), Email("other"), User("Gone")]);

        Assert.Equal(new HashSet<Identifier> { User("gone"), Email("hash") }, suppressed.ToHashSet());
    }
}
