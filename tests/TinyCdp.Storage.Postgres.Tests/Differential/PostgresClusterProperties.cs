using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Core.Tests.Differential;

namespace TinyCdp.Storage.Postgres.Tests.Differential;

/// <summary>
/// Two engines, each with its own store instance on one PostgreSQL schema, against the naive oracle:
/// sends, definition changes and checks alternate between the nodes, so every write is computed by a
/// node whose cache the other node has just made stale.
/// </summary>
public sealed class PostgresClusterProperties
{
    [Property(MaxTest = 30)]
    public Property TwoNodes_AnyStream_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: false), scenario => Run(scenario, new RunOptions(Restarts: false, FinalRestart: false, TwoNodes: true)));

    [Property(MaxTest = 15)]
    public Property TwoNodes_AnyStreamWithRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: true), scenario => Run(scenario, new RunOptions(Restarts: true, FinalRestart: true, TwoNodes: true)));

    private static void Run(Scenario scenario, RunOptions options) =>
        Task.Run(async () =>
        {
            await using var cluster = new PostgresDifferentialStore();
            await DifferentialRunner.RunAsync(scenario, cluster, options);
        }).GetAwaiter().GetResult();
}
