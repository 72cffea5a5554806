using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Testing.Stores;

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

    public Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default) =>
        inner.SampleProfileIdsAsync(limit, cancellationToken);

    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) => inner.CountProfilesAsync(cancellationToken);

    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default) =>
        inner.ListSegmentMembersAsync(segment, after, limit, cancellationToken);

    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadChangesAsync(after, limit, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default) =>
        inner.GetSegmentSizesAsync(cancellationToken);

    public Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default) =>
        inner.GetSegmentSizeHistoryAsync(segment, cancellationToken);

    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        inner.GetDefinitionsAsync(cancellationToken);

    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default) =>
        inner.GetDefinitionHistoryAsync(kind, key, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(cancellationToken);

    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) => inner.GetApiKeysAsync(cancellationToken);

    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default) => inner.SearchProfilesAsync(prefix, limit, offset, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
