namespace TinyCdp.Storage;

/// <summary>Reads of profiles one part at a time, and listings of profiles (all live ones, a segment's members).</summary>
public interface IProfileReader
{
    /// <summary>A profile row by id (including absorbed ones, which carry <see cref="StoredProfile.MergedInto"/>).</summary>
    Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's messages in sequence order.</summary>
    Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>The merges into a profile, oldest first.</summary>
    Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's stored memberships.</summary>
    Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>A profile's stored trait values.</summary>
    Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>Live (not absorbed) profile ids in ascending order after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// A uniformly random sample of live (not absorbed) profile ids, ascending: every live profile when
    /// there are at most <paramref name="limit"/>, otherwise <paramref name="limit"/> distinct ones, each
    /// subset of that size equally likely. Previews of draft definitions evaluate it.
    /// </summary>
    Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The number of live profiles.</summary>
    Task<long> CountProfilesAsync(CancellationToken cancellationToken = default);

    /// <summary>Profiles currently in a segment, ascending by id after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default);
}
