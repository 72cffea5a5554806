namespace TinyCdp.Storage.Postgres.Tests.Differential;

/// <summary>The reproductions of <c>EngineBugTests</c> (TinyCdp.Core.Tests) that involve a restart, on PostgreSQL.</summary>
public sealed class PostgresEngineBugTests
{
    /// <summary>See <c>EngineBugTests.Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart</c>.</summary>
    [Fact]
    public async Task Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart()
    {
        await using var store = new PostgresDifferentialStore();
        await EngineBugScenarios.SameCommitMergeSurvivesRestartAsync(store.Open);
    }
}
