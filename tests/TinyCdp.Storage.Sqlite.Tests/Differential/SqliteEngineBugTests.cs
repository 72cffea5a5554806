namespace TinyCdp.Storage.Sqlite.Tests.Differential;

/// <summary>The reproductions of <c>EngineBugTests</c> (TinyCdp.Core.Tests) that involve a restart, on SQLite.</summary>
public sealed class SqliteEngineBugTests
{
    /// <summary>See <c>EngineBugTests.Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart</c>.</summary>
    [Fact]
    public async Task Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart()
    {
        await using var store = new SqliteDifferentialStore();
        await EngineBugScenarios.SameCommitMergeSurvivesRestartAsync(store.Open);
    }
}
