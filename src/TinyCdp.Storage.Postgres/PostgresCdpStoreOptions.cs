namespace TinyCdp.Storage.Postgres;

/// <summary>Settings for <see cref="PostgresCdpStore"/>.</summary>
public sealed class PostgresCdpStoreOptions
{
    /// <summary>
    /// An Npgsql connection string, for example <c>Host=db;Database=tinycdp;Username=tinycdp;Password=...</c>.
    /// Its <c>Search Path</c>, if any, is replaced by <see cref="Schema"/>.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The PostgreSQL schema that holds TinyCdp's tables; <c>tinycdp</c> by default. Created by
    /// <see cref="PostgresCdpStore.MigrateAsync"/> when missing. Lower-case letters, digits and
    /// underscores, starting with a letter or an underscore, at most 48 characters. Stores on different
    /// schemas of one database are independent (their commits, locks and notifications do not meet).
    /// </summary>
    public string Schema { get; set; } = "tinycdp";

    /// <summary>
    /// How long <see cref="PostgresCdpStore.IsReachableAsync"/> waits for an answer before reporting
    /// the database unreachable; 2 seconds by default.
    /// </summary>
    public TimeSpan ReachabilityTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest pause between attempts to re-establish the notification channel after the database
    /// went away (attempts start after a quarter of a second and back off up to this); 5 seconds by default.
    /// </summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);
}
