using TinyCdp.Identity;

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>Migrations and the time partitions of the events table.</summary>
public sealed class PostgresSchemaTests : PostgresStoreScope
{
    [Fact]
    public async Task MigrateAsync_TwoStoresAtOnce_BothSucceedAndEachVersionIsAppliedOnce()
    {
        var first = NewStore();
        var second = NewStore();

        await Task.WhenAll(first.MigrateAsync(), second.MigrateAsync(), NewStore().MigrateAsync());
        await first.MigrateAsync();

        Assert.Equal([1, 2, 3, 4], await ColumnAsync<int>("SELECT version FROM schema_version ORDER BY version"));
        Assert.True(await second.IsReachableAsync());
        await CommitAsync(first, t => t.Profiles.Add(Profile(Id(1))));
        Assert.Equal([Id(1)], await second.ListProfileIdsAsync(null, 10));
    }

    [Fact]
    public async Task MigrateAsync_SchemaFromANewerVersion_ThrowsStoreUnavailable()
    {
        var store = await OpenStoreAsync();
        await ColumnAsync<int>("INSERT INTO schema_version (version) VALUES (999) RETURNING version");

        var error = await Assert.ThrowsAsync<TinyCdpException>(() => NewStore().MigrateAsync());

        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, error.Code);
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsReachableAsync_NotMigrated_ReturnsFalse()
    {
        var store = NewStore();

        Assert.False(await store.IsReachableAsync());
        await store.MigrateAsync();
        Assert.True(await store.IsReachableAsync());
    }

    [Fact]
    public void Constructor_BadSchemaName_Throws()
    {
        foreach (var schema in new[] { "", "Upper", "1digit", "with-dash", "quote\"", new string('a', 49) })
        {
            Assert.Throws<ArgumentException>(() => new PostgresCdpStore(new PostgresCdpStoreOptions { ConnectionString = "Host=localhost", Schema = schema }));
        }

        Assert.Throws<ArgumentException>(() => new PostgresCdpStore(new PostgresCdpStoreOptions { ConnectionString = "" }));
        Assert.Throws<ArgumentException>(() => new PostgresCdpStore(new PostgresCdpStoreOptions { ConnectionString = "NoSuchKeyword=1" }));
    }

    [Fact]
    public async Task CommitAsync_Events_LandInTheirMonthsPartitionOrTheDefaultOne()
    {
        var store = await OpenStoreAsync();
        var march = new DateTimeOffset(2026, 3, 31, 23, 59, 59, 999, TimeSpan.Zero);
        var april = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var aprilInTokyo = new DateTimeOffset(2026, 4, 1, 8, 30, 0, TimeSpan.FromHours(9)); // still March 31st in UTC
        var ancient = new DateTimeOffset(1990, 6, 1, 0, 0, 0, TimeSpan.Zero);

        await CommitAsync(store, t => t.Events.AddRange([
            Event(1, Id(1), march), Event(2, Id(1), april), Event(3, Id(2), aprilInTokyo), Event(4, Id(2), ancient)]));

        var placed = await QueryAsync("SELECT sequence, tableoid::regclass::text FROM events ORDER BY sequence", reader =>
        {
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add($"{reader.GetInt64(0)}:{reader.GetString(1)}");
            }

            return rows;
        });
        Assert.Equal(["1:events_y2026m03", "2:events_y2026m04", "3:events_y2026m03", "4:events_default"], placed);
        Assert.Equal(
            ["events_default", "events_y2026m03", "events_y2026m04"],
            await ColumnAsync<string>("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'events'::regclass ORDER BY 1"));
        Assert.Equal([Event(1, Id(1), march), Event(2, Id(1), april)], await store.GetEventsAsync(Id(1)));
    }

    [Fact]
    public async Task EveryPartition_HasThePerProfileHistoryIndex()
    {
        var store = await OpenStoreAsync();
        await CommitAsync(store, t => t.Events.AddRange([Event(1, Id(1), T0), Event(2, Id(1), T0.AddMonths(1))]));

        var indexed = await ColumnAsync<string>("""
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
              AND EXISTS (SELECT 1 FROM pg_index x JOIN pg_attribute a1 ON a1.attrelid = x.indrelid AND a1.attnum = x.indkey[0]
                                                   JOIN pg_attribute a2 ON a2.attrelid = x.indrelid AND a2.attnum = x.indkey[1]
                          WHERE x.indrelid = c.oid AND a1.attname = 'profile_id' AND a2.attname = 'sequence')
            ORDER BY 1
            """);

        Assert.Equal(["events_default", "events_y2026m03", "events_y2026m04"], indexed);
    }

    [Fact]
    public async Task CommitAsync_FailedCommitThatCreatedAPartition_TheNextCommitCreatesItAgain()
    {
        var store = await OpenStoreAsync();
        var may = new DateTimeOffset(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);
        await CommitAsync(store, t => t.MessageIds.Add(("taken", T0)));

        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(store, t =>
        {
            t.Events.Add(Event(1, Id(1), may));
            t.MessageIds.Add(("taken", may));
        }));
        Assert.Empty(await ColumnAsync<string>("SELECT relname::text FROM pg_class WHERE relname = 'events_y2026m05'"));

        await CommitAsync(store, t => t.Events.Add(Event(1, Id(1), may)));

        Assert.Equal(["events_y2026m05"], await ColumnAsync<string>("SELECT tableoid::regclass::text FROM events"));
    }

    [Fact]
    public async Task CommitAsync_AnotherStoreCreatedThePartition_UsesIt()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();

        await CommitAsync(first, t => t.Events.Add(Event(1, Id(1))));
        await CommitAsync(second, t => t.Events.Add(Event(2, Id(1))));

        Assert.Equal(["events_y2026m03", "events_y2026m03"], await ColumnAsync<string>("SELECT tableoid::regclass::text FROM events"));
    }

    [Fact]
    public async Task CommitAsync_SequenceStoredInAnOlderPartition_ThrowsAndChangesNothing()
    {
        var store = await OpenStoreAsync();
        await CommitAsync(store, t => t.Events.AddRange([Event(1, Id(1), T0), Event(5, Id(1), T0)]));

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => CommitAsync(store, t => t.Events.AddRange([
            Event(6, Id(1), T0.AddMonths(2)), Event(1, Id(2), T0.AddMonths(2))])));

        Assert.Equal("An event with sequence 1 is already stored.", error.MessageText);

        Assert.Equal([1L, 5L], (await store.GetEventsAsync(Id(1))).Select(e => e.Sequence));
        Assert.Empty(await store.GetEventsAsync(Id(2)));
        Assert.Equal(5, await store.GetLastSequenceAsync());
    }

    [Fact]
    public async Task CommitAsync_MergeIntoAProfileAbsorbedEarlierInTheSameTransaction_IsRefusedByTheDatabase()
    {
        var store = await OpenStoreAsync();
        await CommitAsync(store, t => t.Profiles.AddRange([Profile(Id(1)), Profile(Id(2)), Profile(Id(3))]));

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => CommitAsync(store, t => t.Merges.AddRange([
            new StoredMerge(Id(1), Id(2), T0, "m-a"), new StoredMerge(Id(2), Id(3), T0, "m-b")])));

        Assert.Equal($"Profile {Id(2)} was absorbed by {Id(1)} and cannot absorb {Id(3)}.", error.MessageText);
        Assert.Null((await store.GetProfileAsync(Id(2)))!.MergedInto);
        Assert.Empty(await store.GetMergesAsync(Id(1)));
    }

    [Fact]
    public async Task CommitAsync_LoneSurrogates_AreStoredAsReplacementCharacters_AsOnSqlite()
    {
        var store = await OpenStoreAsync();
        var odd = new Identifier(IdentifierKind.UserId, "a\uD800b\uDC00c\uD83D\uDE00");

        await CommitAsync(store, t =>
        {
            t.Identifiers.Add((odd, Id(1)));
            t.Events.Add(Event(1, Id(1), messageId: "m\uDFFF") with { Name = "n\uD800" });
        });

        var stored = new Identifier(IdentifierKind.UserId, "a\uFFFDb\uFFFDc\uD83D\uDE00");
        Assert.Equal([stored], await store.GetIdentifiersAsync(Id(1)));
        Assert.Equal(Id(1), (await store.FindProfilesAsync([odd]))[stored]);
        var storedEvent = Assert.Single(await store.GetEventsAsync(Id(1)));
        Assert.Equal(("m\uFFFD", "n\uFFFD"), (storedEvent.MessageId, storedEvent.Name));
    }

    [Fact]
    public async Task CommitAsync_NulCharacter_FailsAndStoresNothing()
    {
        var store = await OpenStoreAsync();

        // PostgreSQL text cannot hold U+0000 (SQLite can): the commit fails whole.
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => CommitAsync(store, t =>
        {
            t.Profiles.Add(Profile(Id(1)));
            t.Identifiers.Add((new Identifier(IdentifierKind.UserId, "a\0b"), Id(1)));
        }));

        Assert.Null(await store.GetProfileAsync(Id(1)));
    }

    [Fact]
    public async Task SearchProfilesAsync_UsesThePrimaryKeyRange()
    {
        await OpenStoreAsync();

        var plan = string.Join("\n", await ColumnAsync<string>(
            "EXPLAIN SELECT profile_id FROM identifiers WHERE kind IN (0, 1) AND value ^@ 'ali'"));

        Assert.Contains("identifiers_pkey", plan, StringComparison.Ordinal);
        Assert.Contains("value >= 'ali'", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migration3_OnASchemaWithAFeedAlready_FillsTheSegmentSizesFromIt()
    {
        var store = await OpenStoreAsync();
        var noon = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await CommitAsync(store, t => t.Changes.AddRange([
            new StoredChange(0, Id(1), null, "vip", true, noon.AddMinutes(1), Evaluation.ChangeCause.Event),
            new StoredChange(0, Id(2), null, "vip", true, noon.AddMinutes(2), Evaluation.ChangeCause.Event),
            new StoredChange(0, Id(2), null, "vip", false, noon.AddMinutes(61), Evaluation.ChangeCause.Time),
        ]));

        // The schema as version 2 left it: the feed, and no kept counts.
        await ColumnAsync<int>("DROP TABLE segment_sizes; DROP TABLE segment_size_history; DELETE FROM schema_version WHERE version = 3 RETURNING version");
        var upgraded = NewStore();
        await upgraded.MigrateAsync();

        Assert.Equal(1, (await upgraded.GetSegmentSizesAsync())["vip"]);
        Assert.Equal(
            [new StoredSegmentSizeChange("vip", noon, 2, 0), new StoredSegmentSizeChange("vip", noon.AddHours(1), 0, 1)],
            await upgraded.GetSegmentSizeHistoryAsync("vip"));
    }
}
