using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Data.Sqlite;

namespace TinyCdp.Storage.Sqlite.Tests.Differential;

/// <summary>A SQLite database file per run; every <see cref="Open"/> is a new store on the same file (a restart).</summary>
public sealed class SqliteDifferentialStore : IDifferentialStore
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinycdp-differential", Guid.NewGuid().ToString("N"));

    public SqliteDifferentialStore()
    {
        Directory.CreateDirectory(_directory);
        Options = new SqliteCdpStoreOptions
        {
            ConnectionString = $"Data Source={Path.Combine(_directory, "cdp.db")}",

            // A restart here is a clean stop: fsync adds nothing but time.
            Durability = SqliteDurability.Relaxed,
        };
    }

    public SqliteCdpStoreOptions Options { get; }

    public ICdpStore Open() => new SqliteCdpStore(Options);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the directory is under the temp path.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The engine on SQLite against the naive oracle, with restarts mid-stream and a final restart
/// (a new engine on the same file) after which every value must be identical.
/// </summary>
public sealed class SqliteDifferentialProperties
{
    [Property(MaxTest = 40)]
    public Property Engine_AnyStreamWithRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: true), scenario => Run(scenario, new RunOptions(Restarts: true, FinalRestart: true)));

    [Property(MaxTest = 20)]
    public Property Engine_AnyStreamWithoutRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: false), scenario => Run(scenario, new RunOptions(Restarts: false, FinalRestart: true)));

    private static void Run(Scenario scenario, RunOptions options) =>
        Task.Run(async () =>
        {
            await using var store = new SqliteDifferentialStore();
            await DifferentialRunner.RunAsync(scenario, store, options);
        }).GetAwaiter().GetResult();
}
