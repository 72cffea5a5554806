using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>
/// What <see cref="InMemoryCdpStore"/> keeps: the rows, the indexes its reads need, and the updates that
/// keep them consistent with each other (what a database's indexes and statements do for the other stores).
/// </summary>
/// <remarks>
/// Not thread-safe: the store holds its lock around every use. Values are stored as given; normalising
/// instants is the commit's (<see cref="InMemoryCommit"/>).
/// </remarks>
internal sealed class InMemoryState
{
    public Dictionary<Guid, StoredProfile> Profiles { get; } = [];

    public SortedSet<Guid> LiveProfiles { get; } = [];

    public Dictionary<Identifier, Guid> Identifiers { get; } = [];

    public Dictionary<Guid, HashSet<Identifier>> IdentifiersByProfile { get; } = [];

    public Dictionary<long, StoredEvent> Events { get; } = [];

    public Dictionary<Guid, SortedSet<long>> EventsByProfile { get; } = [];

    public Dictionary<string, DateTimeOffset> MessageIds { get; } = new(StringComparer.Ordinal);

    public List<StoredMerge> Merges { get; } = [];

    public Dictionary<Guid, Dictionary<string, StoredMembership>> Memberships { get; } = [];

    public Dictionary<string, SortedSet<Guid>> SegmentMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<Guid, Dictionary<string, StoredTraitValue>> TraitValues { get; } = [];

    public List<StoredChange> Changes { get; } = [];

    /// <summary>Entries minus exits per segment, kept as changes are appended.</summary>
    public Dictionary<string, long> SegmentSizes { get; } = new(StringComparer.Ordinal);

    /// <summary>Entries and exits per segment and hour, kept as changes are appended.</summary>
    public Dictionary<string, SortedDictionary<DateTimeOffset, (long Entered, long Exited)>> SegmentSizeHistory { get; } = new(StringComparer.Ordinal);

    /// <summary>Counts an appended change in its segment's size and history.</summary>
    public void CountChange(StoredChange change)
    {
        SegmentSizes[change.Segment] = SegmentSizes.GetValueOrDefault(change.Segment) + (change.Entered ? 1 : -1);
        var history = Owned(SegmentSizeHistory, change.Segment, () => new SortedDictionary<DateTimeOffset, (long, long)>());
        var hour = StoredSegmentSizeChange.HourOf(change.At);
        var (entered, exited) = history.GetValueOrDefault(hour);
        history[hour] = change.Entered ? (entered + 1, exited) : (entered, exited + 1);
    }

    public HashSet<Identifier> Suppressions { get; } = [];

    public Dictionary<(DefinitionKind Kind, string Key), StoredDefinition> Definitions { get; } = [];

    public List<StoredDefinitionChange> DefinitionHistory { get; } = [];

    public SortedDictionary<string, StoredApiKey> ApiKeys { get; } = new(StringComparer.Ordinal);

    public long CatalogVersion { get; set; }

    public long LastSequence { get; set; }

    /// <summary>A profile's row and everything stored under its id, in the orders the single reads return; null without a row.</summary>
    public StoredProfileState? StateOf(Guid profileId)
    {
        if (!Profiles.TryGetValue(profileId, out var profile))
        {
            return null;
        }

        return new StoredProfileState(
            profile,
            IdentifiersByProfile.TryGetValue(profileId, out var identifiers)
                ? [.. identifiers.OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)]
                : [],
            EventsByProfile.TryGetValue(profileId, out var sequences) ? [.. sequences.Select(sequence => Events[sequence])] : [],
            Memberships.TryGetValue(profileId, out var memberships)
                ? [.. memberships.Values.OrderBy(membership => membership.Segment, StringComparer.Ordinal)]
                : [],
            TraitValues.TryGetValue(profileId, out var values) ? [.. values.Values.OrderBy(value => value.Trait, StringComparer.Ordinal)] : []);
    }

    public void SetProfile(StoredProfile profile)
    {
        Profiles[profile.Id] = profile;
        if (profile.MergedInto is null)
        {
            LiveProfiles.Add(profile.Id);
        }
        else
        {
            LiveProfiles.Remove(profile.Id);
        }
    }

    public void ApplyMerge(StoredMerge merge)
    {
        var (survivor, absorbed) = (merge.Survivor, merge.Absorbed);

        if (EventsByProfile.Remove(absorbed, out var sequences))
        {
            var survivorSequences = Owned(EventsByProfile, survivor, () => new SortedSet<long>());
            foreach (var sequence in sequences)
            {
                Events[sequence] = Events[sequence] with { ProfileId = survivor };
                survivorSequences.Add(sequence);
            }
        }

        if (IdentifiersByProfile.Remove(absorbed, out var identifiers))
        {
            foreach (var identifier in identifiers)
            {
                AttachIdentifier(identifier, survivor);
            }
        }

        // On a clash the survivor's value stays: the engine recomputes the survivor's traits anyway.
        if (TraitValues.Remove(absorbed, out var values))
        {
            var survivorValues = Owned(TraitValues, survivor, () => new Dictionary<string, StoredTraitValue>(StringComparer.Ordinal));
            foreach (var value in values.Values)
            {
                survivorValues.TryAdd(value.Trait, value with { ProfileId = survivor });
            }
        }

        RemoveMemberships(absorbed);

        foreach (var profile in Profiles.Values.Where(profile => profile.Id == absorbed || profile.MergedInto == absorbed).ToList())
        {
            SetProfile(profile with { MergedInto = survivor });
        }

        Merges.Add(merge);
    }

    public void AttachIdentifier(Identifier identifier, Guid profileId)
    {
        if (Identifiers.TryGetValue(identifier, out var previous))
        {
            if (previous == profileId)
            {
                return;
            }

            Disown(IdentifiersByProfile, previous, owned => owned.Remove(identifier) && owned.Count == 0);
        }

        Identifiers[identifier] = profileId;
        Owned(IdentifiersByProfile, profileId, () => new HashSet<Identifier>()).Add(identifier);
    }

    public void AddEvent(StoredEvent storedEvent)
    {
        Events[storedEvent.Sequence] = storedEvent;
        Owned(EventsByProfile, storedEvent.ProfileId, () => new SortedSet<long>()).Add(storedEvent.Sequence);
        LastSequence = Math.Max(LastSequence, storedEvent.Sequence);
    }

    public void SetMembership(StoredMembership membership)
    {
        Owned(Memberships, membership.ProfileId, () => new Dictionary<string, StoredMembership>(StringComparer.Ordinal))[membership.Segment] = membership;
        var members = Owned(SegmentMembers, membership.Segment, () => new SortedSet<Guid>());
        if (membership.InSegment)
        {
            members.Add(membership.ProfileId);
        }
        else
        {
            members.Remove(membership.ProfileId);
        }
    }

    public void SetTraitValue(StoredTraitValue value) =>
        Owned(TraitValues, value.ProfileId, () => new Dictionary<string, StoredTraitValue>(StringComparer.Ordinal))[value.Trait] = value;

    public void DeleteProfile(Guid profileId)
    {
        // The profile and every profile absorbed into it, at any depth.
        var doomed = new HashSet<Guid> { profileId };
        var frontier = new Queue<Guid>(doomed);
        while (frontier.TryDequeue(out var id))
        {
            foreach (var absorbed in Profiles.Values.Where(profile => profile.MergedInto == id).Select(profile => profile.Id))
            {
                if (doomed.Add(absorbed))
                {
                    frontier.Enqueue(absorbed);
                }
            }
        }

        foreach (var id in doomed)
        {
            if (EventsByProfile.Remove(id, out var sequences))
            {
                foreach (var sequence in sequences)
                {
                    Events.Remove(sequence);
                }
            }

            if (IdentifiersByProfile.Remove(id, out var identifiers))
            {
                foreach (var identifier in identifiers)
                {
                    Identifiers.Remove(identifier);
                }
            }

            RemoveMemberships(id);
            TraitValues.Remove(id);
            Merges.RemoveAll(merge => merge.Survivor == id || merge.Absorbed == id);
            Profiles.Remove(id);
            LiveProfiles.Remove(id);
        }
    }

    public void ForgetMessageIdsBefore(DateTimeOffset cutoff)
    {
        foreach (var (messageId, receivedAt) in MessageIds.ToList())
        {
            if (receivedAt < cutoff)
            {
                MessageIds.Remove(messageId);
            }
        }
    }

    private void RemoveMemberships(Guid profileId)
    {
        if (Memberships.Remove(profileId, out var owned))
        {
            foreach (var segment in owned.Keys)
            {
                Disown(SegmentMembers, segment, members => members.Remove(profileId) && members.Count == 0);
            }
        }
    }

    private static TValue Owned<TKey, TValue>(Dictionary<TKey, TValue> map, TKey key, Func<TValue> create)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = create();
            map[key] = value;
        }

        return value;
    }

    private static void Disown<TKey, TElement>(Dictionary<TKey, TElement> map, TKey key, Func<TElement, bool> removeAndCheckEmpty)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var collection) && removeAndCheckEmpty(collection))
        {
            map.Remove(key);
        }
    }
}
