using TinyCdp.Identity;

namespace TinyCdp.Storage.Specification;

public abstract partial class StoreSpecification
{
    [Fact]
    public async Task SearchProfilesAsync_Prefix_FindsLiveProfilesByUserAndAnonymousIdOnceInIdOrder()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(ProfileId(3)), Profile(ProfileId(1)), Profile(ProfileId(2)), Profile(ProfileId(4))]);
            transaction.Identifiers.AddRange([
                (new Identifier(IdentifierKind.UserId, "alice"), ProfileId(3)),
                (new Identifier(IdentifierKind.AnonymousId, "alicia-phone"), ProfileId(3)),
                (new Identifier(IdentifierKind.AnonymousId, "ali-tablet"), ProfileId(1)),
                (new Identifier(IdentifierKind.UserId, "bob"), ProfileId(2)),
                (new Identifier(IdentifierKind.EmailHash, "ali-not-searchable"), ProfileId(4)),
            ]);
        });

        Assert.Equal([ProfileId(1), ProfileId(3)], await store.SearchProfilesAsync("ali", 10, 0));
        Assert.Equal([ProfileId(3)], await store.SearchProfilesAsync("ali", 10, 1));
        Assert.Equal([ProfileId(1)], await store.SearchProfilesAsync("ali", 1, 0));
        Assert.Equal([ProfileId(3)], await store.SearchProfilesAsync("alice", 10, 0));
        Assert.Empty(await store.SearchProfilesAsync("Alice", 10, 0));
        Assert.Empty(await store.SearchProfilesAsync("carol", 10, 0));
    }
}
