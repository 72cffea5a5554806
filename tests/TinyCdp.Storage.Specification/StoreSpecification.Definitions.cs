using TinyCdp.Definitions;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// Definitions, their history and the catalog version.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task GetDefinitionsAsync_AfterUpsertsAndDeletes_ReturnsCurrentDefinitionsByKindThenKey()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Definitions.AddRange([
                Definition(DefinitionKind.Flag, "checkout", 1), Definition(DefinitionKind.Segment, "vip", 1),
                Definition(DefinitionKind.Trait, "vip", 1), Definition(DefinitionKind.Trait, "Total", 1), Definition(DefinitionKind.Trait, "age", 1)]);
            transaction.CatalogVersion = 1;
        });

        await CommitAsync(store, transaction =>
        {
            transaction.Definitions.Add(Definition(DefinitionKind.Segment, "vip", 2, """{"rule":"age > 18"}""", createdAt: 0, updatedAt: 60));
            transaction.DeletedDefinitions.AddRange([(DefinitionKind.Trait, "vip"), (DefinitionKind.Flag, "unknown")]);
            transaction.CatalogVersion = 2;
        });

        var (definitions, version) = await store.GetDefinitionsAsync();
        Assert.Equal(
            [Definition(DefinitionKind.Trait, "Total", 1), Definition(DefinitionKind.Trait, "age", 1),
             Definition(DefinitionKind.Segment, "vip", 2, """{"rule":"age > 18"}""", createdAt: 0, updatedAt: 60),
             Definition(DefinitionKind.Flag, "checkout", 1)],
            definitions);
        Assert.Equal(2, version);
    }

    [Fact]
    public async Task GetDefinitionsAsync_UpsertAndDeleteInOneTransaction_DeleteWins()
    {
        await using var store = await CreateStoreAsync();

        await CommitAsync(store, transaction =>
        {
            transaction.Definitions.Add(Definition(DefinitionKind.Trait, "t", 1));
            transaction.DeletedDefinitions.Add((DefinitionKind.Trait, "t"));
        });

        Assert.Empty((await store.GetDefinitionsAsync()).Definitions);
    }

    [Fact]
    public async Task GetDefinitionsAsync_CatalogVersionNotGiven_KeepsTheLastOne()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.CatalogVersion = 7);

        await CommitAsync(store, transaction => transaction.Definitions.Add(Definition(DefinitionKind.Trait, "t", 7)));

        Assert.Equal(7, (await store.GetDefinitionsAsync()).Version);
    }

    [Fact]
    public async Task GetDefinitionHistoryAsync_AfterChanges_ReturnsNewestFirstFilteredAndLimited()
    {
        await using var store = await CreateStoreAsync();
        var created = new StoredDefinitionChange(1, DefinitionKind.Trait, "total", "key-1", At(1), null, """{"v":1}""");
        var segment = new StoredDefinitionChange(2, DefinitionKind.Segment, "total", "app", At(2), null, """{"rule":"true"}""");
        var updated = new StoredDefinitionChange(3, DefinitionKind.Trait, "total", null, At(3), """{"v":1}""", """{"v":2}""");
        var flag = new StoredDefinitionChange(3, DefinitionKind.Flag, "checkout", "cli", At(3), null, """{"enabled":false}""");
        var deleted = new StoredDefinitionChange(4, DefinitionKind.Trait, "total", "cli", At(4), """{"v":2}""", null);
        await CommitAsync(store, transaction => transaction.DefinitionChanges.AddRange([created, segment]));
        await CommitAsync(store, transaction => transaction.DefinitionChanges.AddRange([updated, flag]));
        await CommitAsync(store, transaction => transaction.DefinitionChanges.Add(deleted));

        Assert.Equal([deleted, flag, updated, segment, created], await store.GetDefinitionHistoryAsync(null, null, 10));
        Assert.Equal([deleted, flag], await store.GetDefinitionHistoryAsync(null, null, 2));
        Assert.Equal([deleted, updated, created], await store.GetDefinitionHistoryAsync(DefinitionKind.Trait, "total", 10));
        Assert.Equal([deleted, updated, segment, created], await store.GetDefinitionHistoryAsync(null, "total", 10));
        Assert.Equal([flag], await store.GetDefinitionHistoryAsync(DefinitionKind.Flag, null, 10));
        Assert.Empty(await store.GetDefinitionHistoryAsync(DefinitionKind.Flag, "total", 10));
        Assert.Empty(await store.GetDefinitionHistoryAsync(null, "TOTAL", 10));
    }
}
