using TinyCdp.Core.Tests.Differential;

namespace TinyCdp.Storage.Sqlite.Tests.Differential;

/// <summary>The reproductions of <see cref="EngineBugTests"/> that involve a restart, on SQLite.</summary>
public sealed class SqliteEngineBugTests
{
    /// <summary>See <see cref="EngineBugTests.Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart"/>.</summary>
    [Fact]
    public async Task Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart()
    {
        await using var store = new SqliteDifferentialStore();
        await EngineBugScenarios.SameCommitMergeSurvivesRestartAsync(store.Open);
    }
}
