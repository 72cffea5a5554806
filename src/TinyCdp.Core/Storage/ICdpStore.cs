namespace TinyCdp.Storage;

/// <summary>
/// Where TinyCdp keeps its data. The engine is the only writer (through <see cref="CommitAsync"/>);
/// reads may happen concurrently. Every store passes the same specification test suite.
/// </summary>
public interface ICdpStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema; idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the store answers now (for readiness).</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies a transaction atomically and durably; returns the cursors assigned to its changes.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Which of these message ids were stored (and not yet forgotten).</summary>
    Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>The profiles owning these identifiers (identifiers without a profile are absent).</summary>
    Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default);

    /// <summary>Which of these identifiers are suppressed.</summary>
    Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default);

    /// <summary>A profile row by id (including absorbed ones, which carry <see cref="StoredProfile.MergedInto"/>).</summary>
    Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's identifiers.</summary>
    Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's messages in sequence order.</summary>
    Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>The merges into a profile, oldest first.</summary>
    Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's stored memberships.</summary>
    Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's stored trait values.</summary>
    Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Everything the engine loads for a profile: its row, identifiers, messages, memberships and
    /// trait values, read from one committed state (the database stores answer in one round trip).
    /// Each list is what the matching single read (<see cref="GetIdentifiersAsync"/>,
    /// <see cref="GetEventsAsync"/>, <see cref="GetMembershipsAsync"/>, <see cref="GetTraitValuesAsync"/>)
    /// returns, in the same order. Null when the profile has no row; an absorbed profile's row comes
    /// with what is still stored under its id (normally nothing: merges move it to the survivor).
    /// </summary>
    Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="LoadProfileStateAsync"/> for many profiles at once, all from one committed state;
    /// profiles without a row are absent from the answer, repeated ids are answered once.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default);

    /// <summary>Live (not absorbed) profile ids in ascending order after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The number of live profiles.</summary>
    Task<long> CountProfilesAsync(CancellationToken cancellationToken = default);

    /// <summary>Profiles currently in a segment, ascending by id after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Change feed entries with a cursor greater than <paramref name="after"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>All definitions and the catalog version.</summary>
    Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The change history of the catalog, newest first.</summary>
    Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Live profiles owning a user id or anonymous id that starts with <paramref name="prefix"/>
    /// (ordinal), each once, ascending by profile id, skipping <paramref name="offset"/>.
    /// </summary>
    Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default);

    /// <summary>Every API key, revoked ones included, ordered by id.</summary>
    Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>The highest event sequence stored (0 when none), so the engine continues after it.</summary>
    Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default);
}
