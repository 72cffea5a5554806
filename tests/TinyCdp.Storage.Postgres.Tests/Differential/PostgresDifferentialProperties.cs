using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace TinyCdp.Storage.Postgres.Tests.Differential;

/// <summary>A schema per run; every <see cref="Open"/> is a new store instance on it (a restart).</summary>
public sealed class PostgresDifferentialStore : IDifferentialStore
{
    public string Schema { get; } = PostgresTestDatabase.NewSchema();

    public ICdpStore Open() => new PostgresCdpStore(PostgresTestDatabase.Options(Schema));

    public async ValueTask DisposeAsync() => await PostgresTestDatabase.DropSchemasAsync([Schema]);
}

/// <summary>
/// The engine on PostgreSQL against the naive oracle, with restarts mid-stream and a final restart
/// (a new engine and store instance on the same schema) after which every value must be identical.
/// </summary>
public sealed class PostgresDifferentialProperties
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
            await using var store = new PostgresDifferentialStore();
            await DifferentialRunner.RunAsync(scenario, store, options);
        }).GetAwaiter().GetResult();
}
