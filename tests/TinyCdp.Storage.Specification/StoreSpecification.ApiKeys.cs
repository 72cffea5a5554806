using TinyCdp.Keys;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

public abstract partial class StoreSpecification
{
    [Fact]
    public async Task GetApiKeysAsync_AfterCommits_ReturnsKeysByIdWithRevocations()
    {
        await using var store = await CreateStoreAsync();
        var admin = new StoredApiKey("key_b", new string('b', 64), ApiKeyKind.Admin, "ops", At(1), null);
        var read = new StoredApiKey("key_a", new string('a', 64), ApiKeyKind.Read, null, At(2), null);
        await CommitAsync(store, transaction => transaction.ApiKeys.AddRange([admin, read]));

        await CommitAsync(store, transaction => transaction.ApiKeys.Add(read with { RevokedAt = At(3) }));

        Assert.Equal([read with { RevokedAt = At(3) }, admin], await store.GetApiKeysAsync());
    }

    [Fact]
    public async Task CommitAsync_TwoKeysWithTheSameHash_ThrowsAndKeepsTheFirst()
    {
        await using var store = await CreateStoreAsync();
        var first = new StoredApiKey("key_1", new string('c', 64), ApiKeyKind.Write, null, At(1), null);
        await CommitAsync(store, transaction => transaction.ApiKeys.Add(first));

        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, transaction =>
            transaction.ApiKeys.Add(new StoredApiKey("key_2", new string('c', 64), ApiKeyKind.Admin, null, At(2), null))));

        Assert.Equal([first], await store.GetApiKeysAsync());
    }
}
