using Microsoft.Data.Sqlite;
using TinyCdp.Storage.Specification.Crash;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Sqlite.Tests.Crash;

/// <summary>The crash specification: the real server on a SQLite file, killed and restarted on it.</summary>
public sealed class SqliteCrashTests(ITestOutputHelper output) : CrashSpecification(output)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinycdp-crash", Guid.NewGuid().ToString("N"));

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "crash.db")}";

    protected override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string>
    {
        ["TINYCDP_STORAGE"] = "sqlite",
        ["TINYCDP_CONNECTION"] = ConnectionString,
    };

    public override Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task<ICdpStore> OpenStoreAsync()
    {
        var store = new SqliteCdpStore(new SqliteCdpStoreOptions { ConnectionString = ConnectionString });
        await store.MigrateAsync();
        return store;
    }
}
