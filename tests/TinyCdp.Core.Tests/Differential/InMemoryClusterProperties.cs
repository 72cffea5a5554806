using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace TinyCdp.Core.Tests.Differential;

/// <summary>
/// Two engines on one shared in-memory store (<see cref="InMemoryCluster"/>) against the naive
/// oracle: sends, definition changes and checks alternate between the nodes, so every write is
/// computed by a node whose cache the other node has just made stale.
/// </summary>
public sealed class InMemoryClusterProperties
{
    [Property(MaxTest = 60)]
    public Property TwoNodes_AnyStream_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: false), scenario => Run(scenario, new RunOptions(Restarts: false, FinalRestart: false, TwoNodes: true)));

    [Property(MaxTest = 20)]
    public Property TwoNodes_AnyStreamWithRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: true), scenario => Run(scenario, new RunOptions(Restarts: true, FinalRestart: true, TwoNodes: true)));

    private static void Run(Scenario scenario, RunOptions options) =>
        Task.Run(async () =>
        {
            await using var cluster = new InMemoryCluster();
            await DifferentialRunner.RunAsync(scenario, cluster, options);
        }).GetAwaiter().GetResult();
}
