using TinyCdp.Storage.Specification.Crash;
using Xunit.Abstractions;

namespace TinyCdp.Storage.Postgres.Tests.Crash;

/// <summary>The crash specification: the real server on a PostgreSQL schema, killed and restarted on it.</summary>
public sealed class PostgresCrashTests(ITestOutputHelper output) : CrashSpecification(output)
{
    private readonly string _schema = PostgresTestDatabase.NewSchema();

    protected override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string>
    {
        ["TINYCDP_STORAGE"] = "postgres",
        ["TINYCDP_CONNECTION"] = PostgresTestDatabase.ConnectionString!,
        ["TINYCDP_SCHEMA"] = _schema,
    };

    public override Task DisposeAsync() => PostgresTestDatabase.DropSchemasAsync([_schema]);

    protected override async Task<ICdpStore> OpenStoreAsync()
    {
        var store = new PostgresCdpStore(PostgresTestDatabase.Options(_schema));
        await store.MigrateAsync();
        return store;
    }
}
