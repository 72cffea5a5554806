using Npgsql;
using TinyCdp.Ingestion;

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>Stores opened by one test, on schemas of its own; disposes them and drops the schemas afterwards.</summary>
public abstract class PostgresStoreScope : IAsyncLifetime
{
    private readonly List<PostgresCdpStore> _stores = [];
    private readonly HashSet<string> _schemas = [];

    /// <summary>The schema the test's stores share unless told otherwise.</summary>
    protected string Schema { get; } = PostgresTestDatabase.NewSchema();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await PostgresTestDatabase.DropSchemasAsync(_schemas);
    }

    /// <summary>A new store instance (a new node) on <paramref name="schema"/> (the test's by default), not migrated.</summary>
    protected PostgresCdpStore NewStore(string? schema = null, Action<PostgresCdpStoreOptions>? configure = null)
    {
        var options = PostgresTestDatabase.Options(schema ?? Schema);
        configure?.Invoke(options);
        var store = new PostgresCdpStore(options);
        _stores.Add(store);
        _schemas.Add(options.Schema);
        return store;
    }

    /// <summary>A new migrated store instance on the test's schema.</summary>
    protected async Task<PostgresCdpStore> OpenStoreAsync(Action<PostgresCdpStoreOptions>? configure = null)
    {
        var store = NewStore(configure: configure);
        await store.MigrateAsync();
        return store;
    }

    /// <summary>Runs one query on the test's schema outside any store.</summary>
    protected async Task<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = await PostgresTestDatabase.OpenAdminConnectionAsync();
        await using (var path = new NpgsqlCommand($"SET search_path = \"{Schema}\"", connection))
        {
            await path.ExecuteNonQueryAsync();
        }

        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            return read(reader);
        }
        finally
        {
            await using var reset = new NpgsqlCommand("RESET search_path", connection);
            await reset.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The first column of every row, as <typeparamref name="T"/>.</summary>
    protected Task<List<T>> ColumnAsync<T>(string sql) => QueryAsync(sql, reader =>
    {
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    });

    protected static Guid Id(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:D12}");

    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected static StoredProfile Profile(Guid id) => new(id, T0, "{}", "{}", null, 1);

    protected static StoredEvent Event(long sequence, Guid profileId, DateTimeOffset? receivedAt = null, string? messageId = null) =>
        new(sequence, messageId ?? $"m-{sequence}", profileId, MessageKind.Track, "purchase", T0, receivedAt ?? T0, null, "{}", null);

    protected static async Task<IReadOnlyList<long>> CommitAsync(ICdpStore store, Action<StoreTransaction> fill)
    {
        var transaction = new StoreTransaction();
        fill(transaction);
        return await store.CommitAsync(transaction);
    }
}
