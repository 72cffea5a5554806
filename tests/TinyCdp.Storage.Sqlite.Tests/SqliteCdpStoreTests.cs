using Dapper;
using Microsoft.Data.Sqlite;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Storage;
using TinyCdp.Storage.Sqlite;

namespace TinyCdp.Storage.Sqlite.Tests;

/// <summary>What only the SQLite store does: options, pragmas, the schema and its encodings.</summary>
public sealed class SqliteCdpStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinycdp-sqlite-tests", Guid.NewGuid().ToString("N"));

    public SqliteCdpStoreTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, "store.db");

    private SqliteCdpStore NewStore(SqliteDurability durability = SqliteDurability.Full) =>
        new(new SqliteCdpStoreOptions { ConnectionString = $"Data Source={DatabasePath}", Durability = durability });

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Migration3_OnADatabaseWithAFeedAlready_FillsTheSegmentSizesFromIt()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var noon = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using (var store = NewStore())
        {
            await store.MigrateAsync();
            var transaction = new StoreTransaction();
            transaction.Changes.AddRange([
                new StoredChange(0, a, null, "vip", true, noon.AddMinutes(1), ChangeCause.Event),
                new StoredChange(0, b, null, "vip", true, noon.AddMinutes(2), ChangeCause.Event),
                new StoredChange(0, b, null, "vip", false, noon.AddMinutes(61), ChangeCause.Time),
            ]);
            await store.CommitAsync(transaction);
        }

        // The database as version 2 left it: the feed, and no kept counts.
        using (var raw = OpenRaw())
        {
            raw.Execute("DROP TABLE segment_sizes; DROP TABLE segment_size_history; DELETE FROM schema_version WHERE version = 3;");
        }

        await using (var store = NewStore())
        {
            await store.MigrateAsync();
            Assert.Equal(1, (await store.GetSegmentSizesAsync())["vip"]);
            Assert.Equal(
                [new StoredSegmentSizeChange("vip", noon, 2, 0), new StoredSegmentSizeChange("vip", noon.AddHours(1), 0, 1)],
                await store.GetSegmentSizeHistoryAsync("vip"));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=file::memory:?cache=shared")]
    [InlineData("Data Source=x.db;Unknown Keyword=1")]
    public void Constructor_NoDatabaseFile_ThrowsArgumentException(string connectionString)
    {
        Assert.Throws<ArgumentException>(() => new SqliteCdpStore(new SqliteCdpStoreOptions { ConnectionString = connectionString }));
    }

    [Fact]
    public void Constructor_NegativeBusyTimeout_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new SqliteCdpStore(
            new SqliteCdpStoreOptions { ConnectionString = "Data Source=x.db", BusyTimeout = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public void Options_Defaults_AreFullDurabilityAndFiveSecondBusyTimeout()
    {
        var options = new SqliteCdpStoreOptions();

        Assert.Equal(SqliteDurability.Full, options.Durability);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BusyTimeout);
        Assert.Equal("", options.ConnectionString);
    }

    [Fact]
    public void Constructor_ValidOptions_CreatesNoFile()
    {
        _ = NewStore();

        Assert.False(File.Exists(DatabasePath));
    }

    [Theory]
    [InlineData(SqliteDurability.Full, 2)]
    [InlineData(SqliteDurability.Relaxed, 1)]
    public async Task MigrateAsync_AnyDurability_WriteConnectionUsesWalAndTheMatchingSynchronousLevel(SqliteDurability durability, long synchronous)
    {
        await using var store = NewStore(durability);
        await store.MigrateAsync();

        Assert.Equal(synchronous, await store.ReadWriteConnectionPragmaAsync("synchronous"));
        Assert.Equal(5000, await store.ReadWriteConnectionPragmaAsync("busy_timeout"));
        using var raw = OpenRaw();
        Assert.Equal("wal", raw.ExecuteScalar<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_RecordsEachMigrationOnceAndCreatesTheSchema()
    {
        await using (var store = NewStore())
        {
            await store.MigrateAsync();
            await store.MigrateAsync();
        }

        await using (var store = NewStore())
        {
            await store.MigrateAsync();
        }

        using var raw = OpenRaw();
        Assert.Equal([1L, 2L, 3L, 4L], raw.Query<long>("SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(
            ["api_keys", "catalog", "changes", "definition_history", "definitions", "event_sequence", "events", "identifiers", "memberships",
             "merges", "message_ids", "profiles", "schema_version", "segment_size_history", "segment_sizes", "suppressions", "trait_values"],
            raw.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"));
        Assert.Equal(0, raw.ExecuteScalar<long>("SELECT version FROM catalog"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseFromANewerVersion_ThrowsStoreUnavailable()
    {
        await using (var store = NewStore())
        {
            await store.MigrateAsync();
        }

        using (var raw = OpenRaw())
        {
            raw.Execute("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)");
        }

        await using var newer = NewStore();
        var exception = await Assert.ThrowsAsync<TinyCdpException>(() => newer.MigrateAsync());
        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, exception.Code);
    }

    [Fact]
    public async Task IsReachableAsync_BeforeMigration_ReturnsFalse()
    {
        await using var store = NewStore();

        Assert.False(await store.IsReachableAsync());
    }

    [Fact]
    public async Task IsReachableAsync_DirectoryMissing_ReturnsFalse()
    {
        await using var store = new SqliteCdpStore(new SqliteCdpStoreOptions
        {
            ConnectionString = $"Data Source={Path.Combine(_directory, "missing", "store.db")}",
        });

        Assert.False(await store.IsReachableAsync());
    }

    [Fact]
    public async Task CommitAsync_StoredRows_UseTheDocumentedEncodings()
    {
        await using var store = NewStore();
        await store.MigrateAsync();
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);
        var transaction = new StoreTransaction();
        transaction.Events.Add(new StoredEvent(7, "m-7", id, MessageKind.Screen, "$screen", at, at, null, "{}", null));
        transaction.Identifiers.Add((new Identifier(IdentifierKind.EmailHash, "abc"), id));
        transaction.Changes.Add(new StoredChange(0, id, null, "vip", true, at, ChangeCause.Delete));
        transaction.Definitions.Add(new StoredDefinition(DefinitionKind.Flag, "f", "{}", 1, at, at));
        await store.CommitAsync(transaction);

        using var raw = OpenRaw();
        var storedEvent = raw.QuerySingle<(byte[] ProfileId, long Kind, long Timestamp)>("SELECT profile_id, kind, timestamp FROM events");
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), storedEvent.ProfileId);
        Assert.Equal(4, storedEvent.Kind);
        Assert.Equal(at.ToUnixTimeMilliseconds(), storedEvent.Timestamp);
        Assert.Equal(2, raw.ExecuteScalar<long>("SELECT kind FROM identifiers"));
        Assert.Equal(4, raw.ExecuteScalar<long>("SELECT cause FROM changes"));
        Assert.Equal(2, raw.ExecuteScalar<long>("SELECT kind FROM definitions"));
        Assert.Equal(7, raw.ExecuteScalar<long>("SELECT last FROM event_sequence"));
    }

    [Fact]
    public async Task CommitAsync_Text_IsStoredAsUtf8TextWithEmptyStringsKeptAndNullsAsNull()
    {
        await using var store = NewStore();
        await store.MigrateAsync();
        const string properties = "{\"city\":\"Zürich 東京 🎉\"}";
        var transaction = new StoreTransaction();
        transaction.Events.Add(new StoredEvent(1, "", Guid.Empty, MessageKind.Track, "", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, properties, null));
        transaction.Identifiers.Add((new Identifier(IdentifierKind.UserId, ""), Guid.Empty));
        await store.CommitAsync(transaction);

        using var raw = OpenRaw();
        var row = raw.QuerySingle<(string MessageIdType, string NameType, string Name, byte[] Properties, string OriginalType, string TraitsType)>(
            "SELECT typeof(message_id), typeof(name), name, CAST(properties AS BLOB), typeof(original_timestamp), typeof(traits) FROM events");
        Assert.Equal(("text", "text", ""), (row.MessageIdType, row.NameType, row.Name));
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(properties), row.Properties);
        Assert.Equal(("null", "null"), (row.OriginalType, row.TraitsType));
        Assert.Equal("text", raw.ExecuteScalar<string>("SELECT typeof(value) FROM identifiers"));
        Assert.Equal(properties, Assert.Single(await store.GetEventsAsync(Guid.Empty)).PropertiesJson);
    }

    [Fact]
    public async Task CommitAsync_TwoStoresOnOneFile_BothCommitWithoutBusyErrors()
    {
        await using var first = NewStore();
        await using var second = NewStore();
        await first.MigrateAsync();
        await second.MigrateAsync();

        async Task WriteAsync(SqliteCdpStore store, int offset)
        {
            for (var i = 0; i < 20; i++)
            {
                var transaction = new StoreTransaction();
                var sequence = offset + i;
                transaction.Events.Add(new StoredEvent(sequence, $"m-{sequence}", Guid.Empty, MessageKind.Track, "e",
                    DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, "{}", null));
                transaction.Changes.Add(new StoredChange(0, Guid.Empty, null, "s", true, DateTimeOffset.UnixEpoch, ChangeCause.Event));
                await store.CommitAsync(transaction);
            }
        }

        await Task.WhenAll(Task.Run(() => WriteAsync(first, 1)), Task.Run(() => WriteAsync(second, 1001)));

        Assert.Equal(40, (await first.GetEventsAsync(Guid.Empty)).Count);
        var cursors = (await second.ReadChangesAsync(0, 100)).Select(change => change.Cursor).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(n => (long)n), cursors);
        Assert.Equal(1020, await first.GetLastSequenceAsync());
    }
}
