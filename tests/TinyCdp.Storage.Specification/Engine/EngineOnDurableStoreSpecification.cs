using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Storage.Specification.Engine;

/// <summary>
/// The engine on a store that keeps its data outside the process: durability, dedupe, rejected batches
/// and the change feed across restarts. Subclassed once per durable store.
/// </summary>
public abstract class EngineOnDurableStoreSpecification : IAsyncLifetime
{
    /// <summary>The fake clock's start.</summary>
    protected static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);

    /// <summary>Points <paramref name="builder"/> at this test's database (the same one every time).</summary>
    protected abstract void UseStore(TinyCdpBuilder builder);

    /// <summary>A new store instance over this test's database, not yet migrated.</summary>
    protected abstract ICdpStore OpenStore();

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public abstract Task DisposeAsync();

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

            // The first engine is not stopped or flushed: what it acknowledged must already be stored.
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

        await using var store = OpenStore();
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
        services.AddTinyCdp(b =>
        {
            UseStore(b);
            b.Configure(o => o.MembershipTimer = false);
        });
        return services.BuildServiceProvider();
    }
}
