using TinyCdp.Core.Tests.Differential;

namespace TinyCdp.Storage.Postgres.Tests.Differential;

/// <summary>The reproductions of <see cref="EngineBugTests"/> that involve a restart, on PostgreSQL.</summary>
public sealed class PostgresEngineBugTests
{
    /// <summary>See <see cref="EngineBugTests.Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart"/>.</summary>
    [Fact]
    public async Task Merge_InSameBatchAsIdentifierAttach_IdentifierResolvesToSurvivorAfterRestart()
    {
        await using var store = new PostgresDifferentialStore();
        await EngineBugScenarios.SameCommitMergeSurvivesRestartAsync(store.Open);
    }
}
