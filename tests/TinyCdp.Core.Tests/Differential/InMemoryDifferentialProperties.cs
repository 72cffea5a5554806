using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace TinyCdp.Core.Tests.Differential;

/// <summary>
/// The engine on the in-memory store against the naive oracle (SEMANTICS.md §1–6). The second
/// property restarts the engine on the same store mid-stream and at the end (a new engine over the
/// same in-memory data), as the SQLite properties do with a database file.
/// </summary>
public sealed class InMemoryDifferentialProperties
{
    [Property(MaxTest = 100)]
    public Property Engine_AnyStream_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: false), scenario => Run(scenario, new RunOptions(Restarts: false, FinalRestart: false)));

    [Property(MaxTest = 40)]
    public Property Engine_AnyStreamWithRestarts_AgreesWithOracle() =>
        Prop.ForAll(ScenarioGenerators.Scenarios(restarts: true), scenario => Run(scenario, new RunOptions(Restarts: true, FinalRestart: true)));

    private static void Run(Scenario scenario, RunOptions options) =>
        Task.Run(async () =>
        {
            await using var store = new SharedInMemoryStore();
            await DifferentialRunner.RunAsync(scenario, store, options);
        }).GetAwaiter().GetResult();
}
