namespace TinyCdp.Storage;

/// <summary>
/// Where TinyCdp keeps its data: every read role, the schema and health, and what only the engine does:
/// commit, and load whole profiles into its cache. The engine is the only writer (through
/// <see cref="CommitAsync"/>); reads may happen concurrently. Every store passes the same specification
/// test suite.
/// </summary>
/// <remarks>
/// The roles compose: <see cref="IStoreMaintenance"/>, <see cref="IIdentityReader"/>, <see cref="IProfileReader"/>,
/// <see cref="IMessageLogReader"/>, <see cref="IChangeFeedReader"/>, <see cref="ICatalogReader"/> and
/// <see cref="IApiKeyReader"/>. Code that only reads one area can depend on that role alone; the engine holds
/// the whole store. The commit and the whole-profile loads are declared here, not in a role, because the
/// engine is their only caller (the loads fill its cache, the commit is its writer's).
/// </remarks>
public interface ICdpStore :
    IStoreMaintenance,
    IIdentityReader,
    IProfileReader,
    IMessageLogReader,
    IChangeFeedReader,
    ICatalogReader,
    IApiKeyReader,
    IAsyncDisposable
{
    /// <summary>Applies a transaction atomically and durably; returns the cursors assigned to its changes.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Everything the engine loads for a profile: its row, identifiers, messages, memberships and
    /// trait values, read from one committed state (the database stores answer in one round trip).
    /// Each list is what the matching single read (<see cref="IIdentityReader.GetIdentifiersAsync"/>,
    /// <see cref="IProfileReader.GetEventsAsync"/>, <see cref="IProfileReader.GetMembershipsAsync"/>,
    /// <see cref="IProfileReader.GetTraitValuesAsync"/>) returns, in the same order. Null when the profile
    /// has no row; an absorbed profile's row comes with what is still stored under its id (normally
    /// nothing: merges move it to the survivor).
    /// </summary>
    Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="LoadProfileStateAsync"/> for many profiles at once, all from one committed state;
    /// profiles without a row are absent from the answer, repeated ids are answered once.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default);
}
