using TinyCdp.DependencyInjection;
using TinyCdp.Storage.Specification.Engine;

namespace TinyCdp.Storage.Postgres.Tests.Engine;

/// <summary>The engine on PostgreSQL through <c>UsePostgres</c>, in a schema of its own.</summary>
public sealed class PostgresEngineTests : EngineOnDurableStoreSpecification
{
    private readonly string _schema = PostgresTestDatabase.NewSchema();

    public override Task DisposeAsync() => PostgresTestDatabase.DropSchemasAsync([_schema]);

    protected override void UseStore(TinyCdpBuilder builder) =>
        builder.UsePostgres(PostgresTestDatabase.ConnectionString!, options => options.Schema = _schema);

    protected override ICdpStore OpenStore() => new PostgresCdpStore(PostgresTestDatabase.Options(_schema));
}
