using Microsoft.Data.Sqlite;
using TinyCdp.Storage.Specification.Crash;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Sqlite.Tests.Crash;

/// <summary>The soak specification: the real server on a SQLite file (scripts/soak.sh runs it for 10 minutes).</summary>
public sealed class SqliteSoakTests(ITestOutputHelper output) : SoakSpecification(output)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinycdp-soak", Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string>
    {
        ["TINYCDP_STORAGE"] = "sqlite",
        ["TINYCDP_CONNECTION"] = $"Data Source={Path.Combine(_directory, "soak.db")}",
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
}
