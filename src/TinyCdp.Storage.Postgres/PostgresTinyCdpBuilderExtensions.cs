using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TinyCdp.DependencyInjection;

namespace TinyCdp.Storage.Postgres;

/// <summary>Chooses the PostgreSQL store in <c>AddTinyCdp(b => b.UsePostgres(...))</c>.</summary>
public static class PostgresTinyCdpBuilderExtensions
{
    /// <summary>
    /// Stores everything in a PostgreSQL database, in the schema <c>tinycdp</c> unless
    /// <paramref name="configure"/> names another. The schema is created or upgraded at start. Several
    /// processes may use the same database and schema at once: commits are serialised through the
    /// database and each process learns what the others committed.
    /// </summary>
    /// <param name="builder">The TinyCdp builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Changes the other settings.</param>
    public static TinyCdpBuilder UsePostgres(this TinyCdpBuilder builder, string connectionString, Action<PostgresCdpStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgresCdpStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return builder.UseStore(services =>
            new PostgresCdpStore(options, services.GetService<ILoggerFactory>()));
    }
}
