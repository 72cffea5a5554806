using System.Collections.Concurrent;
using TinyCdp.Evaluation;
using TinyCdp.Identity;

namespace TinyCdp.Engine.Cache;

/// <summary>
/// The profiles in memory: one <see cref="ProfileEntry"/> per cached profile (its gate, its published
/// snapshot, its live aggregators) and who owns each cached identifier. Readers use it without locks;
/// the writer holds an entry's gate while it changes the profile. Capacity is kept by evicting the
/// least recently used entries nobody holds.
/// </summary>
internal sealed class ProfileCache(TinyCdpOptions options)
{
    private readonly ConcurrentDictionary<Guid, ProfileEntry> _profiles = new();
    private readonly ConcurrentDictionary<Identifier, Guid> _owners = new();

    /// <summary>The ids of every cached profile.</summary>
    public ICollection<Guid> Ids => _profiles.Keys;

    /// <summary>The entry of a profile, created (empty) when it is not cached.</summary>
    public ProfileEntry GetOrAdd(Guid profileId) => _profiles.GetOrAdd(profileId, id => new ProfileEntry(id));

    public bool TryGet(Guid profileId, out ProfileEntry entry) => _profiles.TryGetValue(profileId, out entry!);

    /// <summary>Removes the entry if it is still the cached one for its profile.</summary>
    public bool TryRemove(ProfileEntry entry) => _profiles.TryRemove(KeyValuePair.Create(entry.Id, entry));

    public bool TryGetOwner(Identifier identifier, out Guid profileId) => _owners.TryGetValue(identifier, out profileId);

    /// <summary>Records that a profile owns an identifier (most are unchanged: a write would allocate a node for nothing).</summary>
    public void SetOwner(Identifier identifier, Guid profileId)
    {
        if (!_owners.TryGetValue(identifier, out var owner) || owner != profileId)
        {
            _owners[identifier] = profileId;
        }
    }

    /// <summary>Forgets that a profile owns an identifier, unless another profile owns it by now.</summary>
    public void RemoveOwner(Identifier identifier, Guid profileId) => _owners.TryRemove(KeyValuePair.Create(identifier, profileId));

    /// <summary>The cached profile a reference names, if its identifier is cached (the hot path of a decide).</summary>
    public bool TryGetHotProfile(ProfileReference user, out Guid profileId)
    {
        if (user.Kind is { } kind)
        {
            return _owners.TryGetValue(new Identifier(kind, user.Text), out profileId);
        }

        if (user.ProfileId is { } id)
        {
            profileId = id;
            return true;
        }

        return _owners.TryGetValue(new Identifier(IdentifierKind.UserId, user.Text), out profileId) ||
            _owners.TryGetValue(new Identifier(IdentifierKind.AnonymousId, user.Text), out profileId);
    }

    /// <summary>The cached entry of a profile with its gate held, skipping entries dropped while we waited.</summary>
    public async Task<ProfileEntry> EnterAsync(Guid profileId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = GetOrAdd(profileId);
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!entry.Stale)
            {
                return entry;
            }

            entry.Gate.Release();
        }
    }

    /// <summary>Drops a cached profile (caller holds the gate), as eviction does: the next use loads it again.</summary>
    public void Forget(ProfileEntry entry)
    {
        if (TryRemove(entry))
        {
            ForgetOwners(entry);
        }
    }

    /// <summary>Drops what a writer computed but could not store: the next reader loads the committed state.</summary>
    public void Discard(ProfileEntry entry, IEnumerable<Identifier> identifiers)
    {
        entry.Live = null;
        entry.Snapshot = null;
        TryRemove(entry);
        foreach (var identifier in identifiers)
        {
            RemoveOwner(identifier, entry.Id);
        }
    }

    /// <summary>
    /// Forgets a cached profile another node wrote. Under its gate, so a reader that is loading it
    /// finishes first and its possibly older copy is dropped too; the next use loads it again.
    /// </summary>
    public async Task InvalidateAsync(Guid profileId, CancellationToken cancellationToken)
    {
        if (!_profiles.TryGetValue(profileId, out var entry))
        {
            return;
        }

        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryRemove(entry))
            {
                return;
            }

            ForgetOwners(entry);
            entry.Stale = true;
            entry.Snapshot = null;
            entry.Live = null;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Keeps the cache near its capacity: the least recently used entries nobody holds go.</summary>
    public void EvictIfNeeded()
    {
        var capacity = options.ProfileCacheCapacity;
        if (_profiles.Count <= capacity + (capacity / 10))
        {
            return;
        }

        foreach (var (id, entry) in _profiles.OrderBy(p => p.Value.LastUsed).Take(_profiles.Count - capacity).ToList())
        {
            if (entry.Gate.CurrentCount == 1 && _profiles.TryRemove(KeyValuePair.Create(id, entry)))
            {
                ForgetOwners(entry);
            }
        }
    }

    private void ForgetOwners(ProfileEntry entry)
    {
        foreach (var identifier in entry.Snapshot?.Identifiers ?? [])
        {
            RemoveOwner(identifier, entry.Id);
        }
    }
}
