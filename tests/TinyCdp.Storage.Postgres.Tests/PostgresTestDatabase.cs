using Npgsql;

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>
/// The PostgreSQL server the tests use, named by <see cref="EnvironmentVariable"/> (.ci/run starts a
/// throwaway cluster and sets it). Each store gets a schema of its own, dropped after the test.
/// </summary>
public static class PostgresTestDatabase
{
    public const string EnvironmentVariable = "TINYCDP_TEST_POSTGRES";

    public const string NotConfiguredReason = "TINYCDP_TEST_POSTGRES is not set; .ci/run starts PostgreSQL and sets it";

    private static readonly Lazy<NpgsqlDataSource> Admin = new(() => NpgsqlDataSource.Create(
        ConnectionString ?? throw new InvalidOperationException(NotConfiguredReason)));

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public static bool IsConfigured => ConnectionString is not null;

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => $"t_{Guid.NewGuid():N}";

    public static PostgresCdpStoreOptions Options(string schema) =>
        new() { ConnectionString = ConnectionString ?? throw new InvalidOperationException(NotConfiguredReason), Schema = schema };

    /// <summary>A pooled connection outside any store, for checks the contract cannot express.</summary>
    public static ValueTask<NpgsqlConnection> OpenAdminConnectionAsync() => Admin.Value.OpenConnectionAsync();

    public static async Task DropSchemasAsync(IEnumerable<string> schemas)
    {
        foreach (var schema in schemas)
        {
            await using var connection = await OpenAdminConnectionAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
