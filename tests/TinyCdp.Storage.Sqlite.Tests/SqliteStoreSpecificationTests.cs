using Microsoft.Data.Sqlite;
using TinyCdp.Storage;
using TinyCdp.Storage.Specification;
using TinyCdp.Storage.Sqlite;

namespace TinyCdp.Storage.Sqlite.Tests;

/// <summary>The storage specification on SQLite: a database file per store, in a directory per test.</summary>
public sealed class SqliteStoreSpecificationTests : DurableStoreSpecification
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinycdp-sqlite-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<ICdpStore, SqliteCdpStoreOptions> _options = [];
    private readonly List<ICdpStore> _stores = [];

    protected override Task<ICdpStore> CreateStoreAsync() => OpenAsync(NewOptions(SqliteDurability.Full));

    protected override Task<ICdpStore> CreateRelaxedStoreAsync() => OpenAsync(NewOptions(SqliteDurability.Relaxed));

    protected override async Task<ICdpStore> ReopenAsync(ICdpStore store)
    {
        var options = _options[store];
        await store.DisposeAsync();
        return await OpenAsync(options);
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private SqliteCdpStoreOptions NewOptions(SqliteDurability durability)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, $"store-{_stores.Count}.db");
        return new SqliteCdpStoreOptions { ConnectionString = $"Data Source={path}", Durability = durability };
    }

    private async Task<ICdpStore> OpenAsync(SqliteCdpStoreOptions options)
    {
        var store = new SqliteCdpStore(options);
        _stores.Add(store);
        _options[store] = options;
        await store.MigrateAsync();
        return store;
    }
}
