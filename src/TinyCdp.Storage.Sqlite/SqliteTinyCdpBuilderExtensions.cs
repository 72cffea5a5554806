using TinyCdp.DependencyInjection;

namespace TinyCdp.Storage.Sqlite;

/// <summary>Chooses the embedded SQLite store in <c>AddTinyCdp(b => b.UseSqlite(...))</c>.</summary>
public static class SqliteTinyCdpBuilderExtensions
{
    /// <summary>
    /// Stores everything in one SQLite database (WAL mode; durable commits unless
    /// <paramref name="configure"/> relaxes them). The schema is created or upgraded at start.
    /// </summary>
    public static TinyCdpBuilder UseSqlite(this TinyCdpBuilder builder, string connectionString, Action<SqliteCdpStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new SqliteCdpStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return builder.UseStore(_ => new SqliteCdpStore(options));
    }
}
