namespace TinyCdp.Server.Hosting;

/// <summary>
/// The server's settings, read from ASP.NET Core configuration (appsettings, command line) and the
/// documented environment variables <c>TINYCDP_STORAGE</c>, <c>TINYCDP_CONNECTION</c> and
/// <c>TINYCDP_ADMIN_KEY</c>.
/// </summary>
internal sealed record ServerConfiguration(string Storage, string Connection, string? AdminKey, string[] CorsOrigins, int RateLimitPerMinute)
{
    public const string DefaultConnection = "Data Source=tinycdp.db";

    /// <summary>The PostgreSQL schema (<c>TINYCDP_SCHEMA</c>); null for the store's default, <c>tinycdp</c>.</summary>
    public string? Schema { get; init; }

    /// <summary>Chooses the store these settings name, for the server and the command line alike.</summary>
    public void UseStore(DependencyInjection.TinyCdpBuilder builder)
    {
        switch (Storage)
        {
            case "sqlite":
                TinyCdp.Storage.Sqlite.SqliteTinyCdpBuilderExtensions.UseSqlite(builder, Connection);
                break;
            case "postgres":
                if (Connection == DefaultConnection)
                {
                    throw new InvalidOperationException("TINYCDP_STORAGE=postgres needs TINYCDP_CONNECTION, an Npgsql connection string such as 'Host=db;Database=tinycdp;Username=tinycdp;Password=...'.");
                }

                TinyCdp.Storage.Postgres.PostgresTinyCdpBuilderExtensions.UsePostgres(builder, Connection, o =>
                {
                    if (Schema is not null)
                    {
                        o.Schema = Schema;
                    }
                });
                break;
            default:
                throw new InvalidOperationException($"TINYCDP_STORAGE must be 'sqlite' or 'postgres', not '{Storage}'.");
        }
    }

    public static ServerConfiguration From(IConfiguration configuration)
    {
        var storage = (configuration["TINYCDP_STORAGE"] ?? configuration["TinyCdp:Storage"] ?? "sqlite").Trim().ToLowerInvariant();
        var connection = configuration["TINYCDP_CONNECTION"] ?? configuration["TinyCdp:Connection"] ?? DefaultConnection;
        var adminKey = configuration["TINYCDP_ADMIN_KEY"] ?? configuration["TinyCdp:AdminKey"];
        var origins = (configuration["TINYCDP_CORS_ORIGINS"] ?? configuration["TinyCdp:CorsOrigins"] ?? "*")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rate = int.TryParse(configuration["TINYCDP_RATE_LIMIT_PER_MINUTE"] ?? configuration["TinyCdp:RateLimitPerMinute"], out var parsed) ? parsed : 60_000;
        var schema = configuration["TINYCDP_SCHEMA"] ?? configuration["TinyCdp:Schema"];
        return new ServerConfiguration(storage, connection, string.IsNullOrWhiteSpace(adminKey) ? null : adminKey.Trim(), origins, rate)
        {
            Schema = string.IsNullOrWhiteSpace(schema) ? null : schema.Trim(),
        };
    }
}
