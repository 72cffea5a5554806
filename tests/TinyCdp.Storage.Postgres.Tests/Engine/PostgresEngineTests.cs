using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Storage.Postgres.Tests.Engine;

/// <summary>The engine on PostgreSQL through <c>UsePostgres</c>: durability, dedupe and definitions across restarts.</summary>
public sealed class PostgresEngineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly string _schema = PostgresTestDatabase.NewSchema();
    private readonly FakeTimeProvider _clock = new(Start);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => PostgresTestDatabase.DropSchemasAsync([_schema]);

    [Fact]
    public async Task AcknowledgedWrite_IsPresentInAnotherEngineOpenedWithoutDisposingTheFirst()
    {
        var first = Open();
        try
        {
            var cdp = first.GetRequiredService<ITinyCdp>();
            await cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"));
            var sent = await cdp.TrackAsync("u1", "purchase");
            Assert.True(sent.Accepted);

            // The first engine is not stopped or flushed: what it acknowledged must already be committed.
            await using var second = Open();
            var reopened = second.GetRequiredService<ITinyCdp>();

            Assert.Equal(Value.Number(1), await reopened.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
            Assert.Equal(1, reopened.Definitions.Catalog.Version);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dedupe_SurvivesARestart()
    {
        await using (var first = Open())
        {
            await first.GetRequiredService<ITinyCdp>().SendAsync(CdpMessage.Track("u1", "purchase", messageId: "retry-me"));
        }

        await using var second = Open();
        var cdp = second.GetRequiredService<ITinyCdp>();
        await cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases", "events.purchase.count_all"));

        var again = await cdp.SendAsync(CdpMessage.Track("u1", "purchase", messageId: "retry-me"));

        Assert.True(again.Items[0].Duplicate);
        Assert.Equal(Value.Number(1), await cdp.EvaluateTraitAsync("purchases", ProfileReference.ByUserId("u1")));
    }

    [Fact]
    public async Task RejectedBatch_LeavesNothingInTheDatabase()
    {
        await using (var first = Open())
        {
            var result = await first.GetRequiredService<ITinyCdp>().BatchAsync(
                [CdpMessage.Track("u1", "purchase"), CdpMessage.Track("u2", new string('x', 201))]);
            Assert.False(result.Accepted);
        }

        await using var store = new PostgresCdpStore(PostgresTestDatabase.Options(_schema));
        await store.MigrateAsync();
        Assert.Equal(0, await store.CountProfilesAsync());
        Assert.Equal(0, await store.GetLastSequenceAsync());
    }

    [Fact]
    public async Task MembershipsAndChanges_SurviveARestartAndContinue()
    {
        await using (var first = Open())
        {
            var cdp = first.GetRequiredService<ITinyCdp>();
            await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "events.purchase.count_30d >= 1"));
            await cdp.TrackAsync("u1", "purchase");
        }

        await using var second = Open();
        var reopened = second.GetRequiredService<ITinyCdp>();
        _clock.Advance(TimeSpan.FromDays(31));
        await reopened.TrackAsync("u1", "signup");

        var changes = await reopened.ReadChangesAsync(0);
        Assert.Equal([true, false], changes.Select(c => c.Entered));
        Assert.Equal(Start.AddDays(31), changes[1].At);
        Assert.True(changes[1].Cursor > changes[0].Cursor);
    }

    private ServiceProvider Open()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddTinyCdp(b => b
            .UsePostgres(PostgresTestDatabase.ConnectionString!, options => options.Schema = _schema)
            .Configure(o => o.MembershipTimer = false));
        return services.BuildServiceProvider();
    }
}
