using TinyCdp.Storage.Specification;

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>The storage specification on PostgreSQL: a schema per store, dropped after each test.</summary>
public sealed class PostgresStoreSpecificationTests : DurableStoreSpecification
{
    private readonly List<PostgresCdpStore> _stores = [];
    private readonly HashSet<string> _schemas = [];

    protected override Task<ICdpStore> CreateStoreAsync() => OpenAsync(PostgresTestDatabase.NewSchema());

    // PostgreSQL has one durability: every commit is flushed before it returns.
    protected override Task<ICdpStore> CreateRelaxedStoreAsync() => CreateStoreAsync();

    protected override async Task<ICdpStore> ReopenAsync(ICdpStore store)
    {
        var schema = ((PostgresCdpStore)store).Schema;
        await store.DisposeAsync();
        return await OpenAsync(schema);
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await PostgresTestDatabase.DropSchemasAsync(_schemas);
    }

    private async Task<ICdpStore> OpenAsync(string schema)
    {
        var store = new PostgresCdpStore(PostgresTestDatabase.Options(schema));
        _stores.Add(store);
        _schemas.Add(schema);
        await store.MigrateAsync();
        return store;
    }
}
