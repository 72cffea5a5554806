using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Keys;

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>
/// <see cref="ISharedCdpStore"/> on PostgreSQL: two store instances on one schema stand for two
/// server processes. Ordering is proven with tasks and the server's lock table, never with timings.
/// </summary>
public sealed class PostgresSharedStoreTests : PostgresStoreScope
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ReadSharedChangesAsync_CommitFromAnotherStore_ListsEveryProfileItTouchedAndItsFlags()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        var seen = (await b.ReadSharedChangesAsync(-1)).Version;

        await CommitAsync(a, t =>
        {
            t.Profiles.Add(Profile(Id(1)));
            t.Merges.Add(new StoredMerge(Id(1), Id(2), T0, "m-merge"));
            t.Identifiers.Add((new Identifier(IdentifierKind.UserId, "u3"), Id(3)));
            t.Events.Add(Event(7, Id(4)));
            t.Memberships.Add(new StoredMembership(Id(5), "vip", true, T0, T0));
            t.TraitValues.Add(new StoredTraitValue(Id(6), "t", "1", T0));
            t.Changes.Add(new StoredChange(0, Id(7), null, "vip", true, T0, ChangeCause.Event));
            t.DeletedProfiles.Add(Id(8));
            t.Definitions.Add(new StoredDefinition(DefinitionKind.Trait, "t", "{}", 1, T0, T0));
            t.CatalogVersion = 1;
            t.ApiKeys.Add(new StoredApiKey("key_1", new string('a', 64), ApiKeyKind.Read, null, T0, null));
        });

        var changes = await b.ReadSharedChangesAsync(seen);

        Assert.Equal(seen + 1, changes.Version);
        Assert.Equal(7, changes.LastSequence);
        Assert.True(changes.Complete);
        Assert.True(changes.CatalogChanged);
        Assert.True(changes.KeysChanged);
        Assert.Equal(Enumerable.Range(1, 8).Select(Id), changes.Profiles.Order());
    }

    [Fact]
    public async Task ReadSharedChangesAsync_OwnCommits_AdvanceTheVersionAndLastSequenceButListNothing()
    {
        var a = await OpenStoreAsync();
        await CommitAsync(a, t => t.Events.Add(Event(3, Id(1))));
        await CommitAsync(a, t =>
        {
            t.Definitions.Add(new StoredDefinition(DefinitionKind.Trait, "t", "{}", 1, T0, T0));
            t.ApiKeys.Add(new StoredApiKey("key_1", new string('a', 64), ApiKeyKind.Read, null, T0, null));
        });

        var changes = await a.ReadSharedChangesAsync(0);

        Assert.Equal(new SharedChanges(2, 3, true, false, false, []), changes with { Profiles = [] });
        Assert.Empty(changes.Profiles);
        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public async Task ReadSharedChangesAsync_NothingNewOrNegativeSeen_ReportsTheNewestVersionAndLastSequenceOnly()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        Assert.Equal(new SharedChanges(0, 0, true, false, false, []), await b.ReadSharedChangesAsync(-1) with { Profiles = [] });
        await CommitAsync(a, t => t.Events.Add(Event(9, Id(1))));
        await CommitAsync(a, t => t.DeletedProfiles.Add(Id(1)));

        foreach (var seen in new long[] { -1, 2 })
        {
            var changes = await b.ReadSharedChangesAsync(seen);
            Assert.Equal(2, changes.Version);
            Assert.Equal(9, changes.LastSequence);
            Assert.True(changes.Complete);
            Assert.Empty(changes.Profiles);
            Assert.False(changes.CatalogChanged || changes.KeysChanged);
        }
    }

    [Fact]
    public async Task CommitAsync_EmptyTransaction_WritesNoLogEntry()
    {
        var a = await OpenStoreAsync();

        Assert.Empty(await a.CommitAsync(new StoreTransaction()));

        Assert.Equal(0, (await a.ReadSharedChangesAsync(-1)).Version);
    }

    [Fact]
    public async Task CommitAsync_ConcurrentCommitsFromTwoStores_LogVersionsAreGapFreeInCommitOrder()
    {
        var stores = new[] { await OpenStoreAsync(), await OpenStoreAsync() };
        var sequence = 0L;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var store = stores[i % 2];
            await CommitAsync(store, t =>
            {
                var next = Interlocked.Increment(ref sequence);
                t.Events.Add(Event(next, Id(i)));
                t.Changes.Add(new StoredChange(0, Id(i), null, "s", true, T0, ChangeCause.Event));
            });
        })));

        Assert.Equal(Enumerable.Range(1, 40).Select(v => (long)v), await ColumnAsync<long>("SELECT version FROM cluster_log ORDER BY version"));

        // Commit order is the order of the change cursors (handed out under the same lock).
        var cursorsByVersion = await ColumnAsync<long>(
            "SELECT (SELECT MAX(c.cursor) FROM changes c WHERE c.profile_id = ANY(l.profiles)) FROM cluster_log l ORDER BY l.version");
        Assert.Equal(cursorsByVersion.Order(), cursorsByVersion);
        var lastSequences = await ColumnAsync<long>("SELECT last_sequence FROM cluster_log ORDER BY version");
        Assert.Equal(lastSequences.Order(), lastSequences);
        Assert.Equal(40, lastSequences[^1]);
    }

    [Fact]
    public async Task BeginWriteTurnAsync_OpenTurn_ACommitFromAnotherStoreWaitsUntilTheTurnCommits()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();

        var turn = await a.BeginWriteTurnAsync(0);
        var blocked = CommitAsync(b, t => t.Profiles.Add(Profile(Id(2))));
        await WaitUntilACommitWaitsForTheLockAsync();
        Assert.False(blocked.IsCompleted);

        await turn.CommitAsync(Transaction(t => t.Profiles.Add(Profile(Id(1)))));
        await blocked.WaitAsync(Patience);

        var log = await QueryAsync("SELECT version, node FROM cluster_log ORDER BY version", reader =>
        {
            var rows = new List<(long, Guid)>();
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), reader.GetGuid(1)));
            }

            return rows;
        });
        Assert.Equal([(1L, a.NodeId), (2L, b.NodeId)], log);
    }

    [Fact]
    public async Task BeginWriteTurnAsync_DisposedWithoutCommit_WritesNothingAndLetsTheNextCommitIn()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();

        var turn = await a.BeginWriteTurnAsync(0);
        var blocked = CommitAsync(b, t => t.Profiles.Add(Profile(Id(2))));
        await WaitUntilACommitWaitsForTheLockAsync();
        await turn.DisposeAsync();
        await blocked.WaitAsync(Patience);

        Assert.Equal([Id(2)], await a.ListProfileIdsAsync(null, 10));
        Assert.Equal(1, (await a.ReadSharedChangesAsync(-1)).Version);
        await Assert.ThrowsAsync<InvalidOperationException>(() => turn.CommitAsync(new StoreTransaction()));
    }

    [Fact]
    public async Task BeginWriteTurnAsync_TurnSeesWhatOthersCommittedBeforeItAndCommitsOnce()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        await CommitAsync(b, t => t.Events.Add(Event(4, Id(2))));

        await using var turn = await a.BeginWriteTurnAsync(0);

        Assert.Equal(new SharedChanges(1, 4, true, false, false, []), turn.Changes with { Profiles = [] });
        Assert.Equal([Id(2)], turn.Changes.Profiles);
        var cursors = await turn.CommitAsync(Transaction(t =>
        {
            t.Events.Add(Event(5, Id(1)));
            t.Changes.Add(new StoredChange(0, Id(1), null, "vip", true, T0, ChangeCause.Event));
        }));
        Assert.Single(cursors);
        await Assert.ThrowsAsync<InvalidOperationException>(() => turn.CommitAsync(new StoreTransaction()));

        var changes = await b.ReadSharedChangesAsync(1);
        Assert.Equal(2, changes.Version);
        Assert.Equal(5, changes.LastSequence);
        Assert.Equal([Id(1)], changes.Profiles);
    }

    [Fact]
    public async Task BeginWriteTurnAsync_CommitFails_NothingIsStoredAndTheTurnIsOver()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        await CommitAsync(a, t => t.MessageIds.Add(("m-1", T0)));

        var turn = await a.BeginWriteTurnAsync(1);
        await Assert.ThrowsAnyAsync<Exception>(() => turn.CommitAsync(Transaction(t =>
        {
            t.Profiles.Add(Profile(Id(1)));
            t.MessageIds.Add(("m-1", T0));
        })));
        await turn.DisposeAsync();

        await CommitAsync(b, t => t.Profiles.Add(Profile(Id(2))));
        Assert.Equal([Id(2)], await a.ListProfileIdsAsync(null, 10));
        Assert.Equal(2, (await a.ReadSharedChangesAsync(-1)).Version);
    }

    [Fact]
    public async Task BeginWriteTurnAsync_CanceledWhileWaiting_ThrowsAndLeavesNothingHeld()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        var turn = await a.BeginWriteTurnAsync(0);
        using var cancel = new CancellationTokenSource();

        var waiting = b.BeginWriteTurnAsync(0, cancel.Token);
        await WaitUntilACommitWaitsForTheLockAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await turn.DisposeAsync();
        await using var next = await b.BeginWriteTurnAsync(0);
        await next.CommitAsync(Transaction(t => t.Profiles.Add(Profile(Id(1)))));
        Assert.Equal([Id(1)], await a.ListProfileIdsAsync(null, 10));
    }

    [Fact]
    public async Task WaitForSharedChangeAsync_AnotherStoreCommits_ReturnsTrue_OwnCommitsDoNot()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();

        // The first wait starts the listener, which signals once when connected.
        Assert.True(await b.WaitForSharedChangeAsync(Patience));
        Assert.True(await a.WaitForSharedChangeAsync(Patience));
        Assert.False(await b.WaitForSharedChangeAsync(TimeSpan.Zero));

        var waiting = b.WaitForSharedChangeAsync(Patience);
        await CommitAsync(a, t => t.Profiles.Add(Profile(Id(1))));

        Assert.True(await waiting);
        Assert.False(await a.WaitForSharedChangeAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task WaitForSharedChangeAsync_ListenerConnectionKilled_ReturnsTrueOnceItIsBack()
    {
        var name = $"tinycdp-listener-{Guid.NewGuid():N}";
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync(options => options.ConnectionString += $";Application Name={name}");
        Assert.True(await b.WaitForSharedChangeAsync(Patience));
        Assert.False(await b.WaitForSharedChangeAsync(TimeSpan.Zero));

        await TerminateAsync(name);

        Assert.True(await b.WaitForSharedChangeAsync(Patience));
        var waiting = b.WaitForSharedChangeAsync(Patience);
        await CommitAsync(a, t => t.Profiles.Add(Profile(Id(1))));
        Assert.True(await waiting);
    }

    [Fact]
    public async Task Reads_AfterTheServerKilledTheStoresConnections_WorkAgainAfterAtMostOneFailure()
    {
        var name = $"tinycdp-pool-{Guid.NewGuid():N}";
        var store = await OpenStoreAsync(options => options.ConnectionString += $";Application Name={name}");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.CountProfilesAsync()));

        await TerminateAsync(name);

        var failures = 0;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                await store.CountProfilesAsync();
            }
            catch (Npgsql.NpgsqlException)
            {
                failures++;
            }
        }

        Assert.True(failures <= 1, $"{failures} failures");
        await CommitAsync(store, t => t.Profiles.Add(Profile(Id(1))));
        Assert.Equal(1, await store.CountProfilesAsync());
    }

    [Fact]
    public async Task Store_ServerUnreachable_ReadsThrowReachabilityIsFalseAndWaitsTimeOut()
    {
        var store = NewStore(configure: options =>
        {
            options.ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2";
            options.ReachabilityTimeout = TimeSpan.FromSeconds(1);
        });

        Assert.False(await store.IsReachableAsync());
        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => store.CountProfilesAsync());
        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => CommitAsync(store, t => t.Profiles.Add(Profile(Id(1)))));
        Assert.False(await store.WaitForSharedChangeAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task ReadSharedChangesAsync_RowsAfterSeenPruned_IsIncomplete()
    {
        var a = await OpenStoreAsync();
        var b = await OpenStoreAsync();
        for (var i = 1; i <= 3; i++)
        {
            await CommitAsync(a, t => t.Profiles.Add(Profile(Id(i))));
        }

        // Everything is "older than minus an hour": all rows go but the newest.
        Assert.Equal(2, await a.PruneSharedLogAsync(TimeSpan.FromHours(-1)));

        var behind = await b.ReadSharedChangesAsync(1);
        Assert.False(behind.Complete);
        Assert.Equal(3, behind.Version);
        Assert.True(behind.CatalogChanged && behind.KeysChanged);
        Assert.False(behind.IsEmpty);

        var upToDate = await b.ReadSharedChangesAsync(2);
        Assert.True(upToDate.Complete);
        Assert.Equal([Id(3)], upToDate.Profiles);

        await CommitAsync(a, t => t.Profiles.Add(Profile(Id(4))));
        Assert.Equal([3L, 4L], await ColumnAsync<long>("SELECT version FROM cluster_log ORDER BY version"));
    }

    [Fact]
    public async Task ReadSharedChangesAsync_FreshPrune_KeepsRowsYoungerThanAnHour()
    {
        var a = await OpenStoreAsync();
        await CommitAsync(a, t => t.Profiles.Add(Profile(Id(1))));
        await CommitAsync(a, t => t.Profiles.Add(Profile(Id(2))));

        Assert.Equal(0, await a.PruneSharedLogAsync(PostgresCdpStore.LogRetention));

        Assert.True((await a.ReadSharedChangesAsync(0)).Complete);
    }

    private static StoreTransaction Transaction(Action<StoreTransaction> fill)
    {
        var transaction = new StoreTransaction();
        fill(transaction);
        return transaction;
    }

    /// <summary>Polls the server's lock table until some session waits for an advisory lock.</summary>
    private static async Task WaitUntilACommitWaitsForTheLockAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using var connection = await PostgresTestDatabase.OpenAdminConnectionAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "No commit ever waited for the write lock.");
            await Task.Delay(20);
        }
    }

    private static async Task TerminateAsync(string applicationName)
    {
        await using var connection = await PostgresTestDatabase.OpenAdminConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = applicationName });
        Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
    }
}
