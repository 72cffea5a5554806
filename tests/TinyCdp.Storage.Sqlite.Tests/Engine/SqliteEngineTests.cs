using TinyCdp.DependencyInjection;
using TinyCdp.Storage.Specification.Engine;

namespace TinyCdp.Storage.Sqlite.Tests.Engine;

/// <summary>The engine on a real SQLite file through <c>UseSqlite</c>.</summary>
public sealed class SqliteEngineTests : EngineOnDurableStoreSpecification
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tinycdp-engine-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "engine.db")}";

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    protected override void UseStore(TinyCdpBuilder builder) => builder.UseSqlite(ConnectionString);

    protected override ICdpStore OpenStore() => new SqliteCdpStore(new SqliteCdpStoreOptions { ConnectionString = ConnectionString });
}
