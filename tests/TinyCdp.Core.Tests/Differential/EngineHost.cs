using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.Definitions;
using TinyCdp.DependencyInjection;
using TinyCdp.Engine;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Differential;

/// <summary>Where a differential run keeps its data; <see cref="Open"/> is called at start and at every restart.</summary>
public interface IDifferentialStore : IAsyncDisposable
{
    /// <summary>A store over the same data as every earlier one (the engine disposes it when it stops).</summary>
    ICdpStore Open();
}

/// <summary>An in-memory store that survives engine restarts (the engine's container disposes only a wrapper).</summary>
public sealed class SharedInMemoryStore : IDifferentialStore
{
    private readonly InMemoryCdpStore _store = new();

    public ICdpStore Open() => new NonDisposingStore(_store);

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}

/// <summary>
/// An engine built through <c>AddTinyCdp</c> (like <c>EngineFixture</c>) with a fake clock that
/// starts at a given instant, the membership timer off and a dedupe window longer than any scenario.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    public EngineHost(ICdpStore store, DateTimeOffset now, Action<TinyCdpOptions>? configure = null)
        : this(store, new FakeTimeProvider(now), configure)
    {
    }

    /// <summary>An engine on a clock shared with other hosts (several nodes on one store).</summary>
    public EngineHost(ICdpStore store, FakeTimeProvider clock, Action<TinyCdpOptions>? configure = null)
    {
        Clock = clock;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddTinyCdp(b => b.UseStore(_ => store).Configure(o =>
        {
            o.MembershipTimer = false;
            o.DedupeWindow = TimeSpan.FromDays(3650);
            configure?.Invoke(o);
        }));
        _services = services.BuildServiceProvider();
        Cdp = _services.GetRequiredService<ITinyCdp>();
    }

    public FakeTimeProvider Clock { get; }

    public ITinyCdp Cdp { get; }

    /// <summary>The host's services (the API key service, for one).</summary>
    public IServiceProvider Services => _services;

    /// <summary>On a shared store: drops what other nodes changed now, instead of waiting for the listener.</summary>
    public Task CatchUpAsync() => ((CdpEngine)Cdp).CatchUpAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Forwards everything to a store except disposal.</summary>
public class NonDisposingStore(ICdpStore inner) : ICdpStore
{
    public virtual Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default) => inner.IsReachableAsync(cancellationToken);

    public Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default) =>
        inner.CommitAsync(transaction, cancellationToken);

    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default) =>
        inner.FindKnownMessageIdsAsync(messageIds, cancellationToken);

    public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
        inner.FindProfilesAsync(identifiers, cancellationToken);

    public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
        inner.FindSuppressedAsync(identifiers, cancellationToken);

    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetProfileAsync(profileId, cancellationToken);

    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetIdentifiersAsync(profileId, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetEventsAsync(profileId, cancellationToken);

    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetMergesAsync(profileId, cancellationToken);

    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetMembershipsAsync(profileId, cancellationToken);

    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.GetTraitValuesAsync(profileId, cancellationToken);

    public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        inner.LoadProfileStateAsync(profileId, cancellationToken);

    public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default) =>
        inner.LoadProfileStatesAsync(profileIds, cancellationToken);

    public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default) =>
        inner.ListProfileIdsAsync(after, limit, cancellationToken);

    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) => inner.CountProfilesAsync(cancellationToken);

    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default) =>
        inner.ListSegmentMembersAsync(segment, after, limit, cancellationToken);

    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadChangesAsync(after, limit, cancellationToken);

    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        inner.GetDefinitionsAsync(cancellationToken);

    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default) =>
        inner.GetDefinitionHistoryAsync(kind, key, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(cancellationToken);

    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) => inner.GetApiKeysAsync(cancellationToken);

    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default) => inner.SearchProfilesAsync(prefix, limit, offset, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
