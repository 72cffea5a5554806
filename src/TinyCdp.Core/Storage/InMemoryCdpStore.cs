namespace TinyCdp.Storage;

/// <summary>
/// An <see cref="ICdpStore"/> that keeps everything in process memory: for tests and for embedding
/// without a database. Nothing survives the process, so "durable" here means only "visible to every
/// read that starts after the commit returned".
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: one lock guards all state; reads copy what they return. <see cref="CommitAsync"/>
/// validates the whole transaction before changing anything, so a rejected transaction leaves the
/// store exactly as it was. It behaves like the database stores on every point the specification
/// suite checks, including the ones below.
/// </para>
/// <list type="bullet">
/// <item>Instants are stored as UTC, truncated to whole milliseconds (what the SQLite store keeps).</item>
/// <item>An event whose sequence or message id is already stored (or repeated in the transaction) fails the commit.</item>
/// <item>A merge whose survivor is the absorbed profile, or is itself absorbed, fails the commit.</item>
/// <item>A null where the records require a value, or an undefined enum value, fails the commit (a database store's NOT NULL).</item>
/// <item>Referential integrity is not enforced: rows may name profiles that have no row (the engine keeps them consistent).</item>
/// </list>
/// </remarks>
public sealed class InMemoryCdpStore : ICdpStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, StoredProfile> _profiles = [];
    private readonly SortedSet<Guid> _liveProfiles = [];
    private readonly Dictionary<Identifier, Guid> _identifiers = [];
    private readonly Dictionary<Guid, HashSet<Identifier>> _identifiersByProfile = [];
    private readonly Dictionary<long, StoredEvent> _events = [];
    private readonly Dictionary<string, long> _eventMessageIds = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, SortedSet<long>> _eventsByProfile = [];
    private readonly Dictionary<string, DateTimeOffset> _messageIds = new(StringComparer.Ordinal);
    private readonly List<StoredMerge> _merges = [];
    private readonly Dictionary<Guid, Dictionary<string, StoredMembership>> _memberships = [];
    private readonly Dictionary<string, SortedSet<Guid>> _segmentMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Dictionary<string, StoredTraitValue>> _traitValues = [];
    private readonly List<StoredChange> _changes = [];
    private readonly HashSet<Identifier> _suppressions = [];
    private readonly Dictionary<(DefinitionKind Kind, string Key), StoredDefinition> _definitions = [];
    private readonly List<StoredDefinitionChange> _definitionHistory = [];
    private readonly SortedDictionary<string, StoredApiKey> _apiKeys = new(StringComparer.Ordinal);
    private long _catalogVersion;
    private long _lastSequence;
    private bool _disposed;

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(!_disposed);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Validate(transaction);
            return Task.FromResult<IReadOnlyList<long>>(Apply(transaction));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return Read<IReadOnlySet<string>>(cancellationToken, () =>
            messageIds.Where(id => id is not null && _messageIds.ContainsKey(id)).ToHashSet(StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        return Read<IReadOnlyDictionary<Identifier, Guid>>(cancellationToken, () =>
        {
            var found = new Dictionary<Identifier, Guid>();
            foreach (var identifier in identifiers)
            {
                if (identifier.Value is not null && _identifiers.TryGetValue(identifier, out var profileId))
                {
                    found[identifier] = profileId;
                }
            }

            return found;
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        return Read<IReadOnlySet<Identifier>>(cancellationToken, () =>
            identifiers.Where(identifier => identifier.Value is not null && _suppressions.Contains(identifier)).ToHashSet());
    }

    /// <inheritdoc />
    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => _profiles.GetValueOrDefault(profileId));

    /// <inheritdoc />
    /// <remarks>Ordered by kind, then by value (ordinal).</remarks>
    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<Identifier>>(cancellationToken, () =>
            _identifiersByProfile.TryGetValue(profileId, out var owned)
                ? [.. owned.OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredEvent>>(cancellationToken, () =>
            _eventsByProfile.TryGetValue(profileId, out var sequences) ? [.. sequences.Select(sequence => _events[sequence])] : []);

    /// <inheritdoc />
    /// <remarks>Ordered by <see cref="StoredMerge.At"/>, then by commit order.</remarks>
    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredMerge>>(cancellationToken, () =>
            [.. _merges.Where(merge => merge.Survivor == profileId).OrderBy(merge => merge.At)]);

    /// <inheritdoc />
    /// <remarks>Ordered by segment key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredMembership>>(cancellationToken, () =>
            _memberships.TryGetValue(profileId, out var owned)
                ? [.. owned.Values.OrderBy(membership => membership.Segment, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    /// <remarks>Ordered by trait key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredTraitValue>>(cancellationToken, () =>
            _traitValues.TryGetValue(profileId, out var owned)
                ? [.. owned.Values.OrderBy(value => value.Trait, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => StateOf(profileId));

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profileIds);
        return Read<IReadOnlyDictionary<Guid, StoredProfileState>>(cancellationToken, () =>
        {
            var states = new Dictionary<Guid, StoredProfileState>();
            foreach (var profileId in profileIds)
            {
                if (!states.ContainsKey(profileId) && StateOf(profileId) is { } state)
                {
                    states[profileId] = state;
                }
            }

            return states;
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<Guid>>(cancellationToken, () => [.. After(_liveProfiles, after).Take(limit)]);
    }

    /// <inheritdoc />
    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => (long)_liveProfiles.Count);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<StoredMembership>>(cancellationToken, () =>
            _segmentMembers.TryGetValue(segment, out var members)
                ? [.. After(members, after).Take(limit).Select(profileId => _memberships[profileId][segment])]
                : []);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        // Cursor n is at index n - 1.
        return Read<IReadOnlyList<StoredChange>>(cancellationToken, () =>
            [.. _changes.Skip((int)Math.Clamp(after, 0, _changes.Count)).Take(limit)]);
    }

    /// <inheritdoc />
    /// <remarks>Definitions are ordered by kind, then by key (ordinal).</remarks>
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        Read<(IReadOnlyList<StoredDefinition>, long)>(cancellationToken, () =>
            ([.. _definitions.Values.OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)],
             _catalogVersion));

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<StoredDefinitionChange>>(cancellationToken, () =>
            [.. _definitionHistory
                .Select((change, index) => (change, index))
                .Where(entry => (kind is null || entry.change.Kind == kind) && (key is null || string.Equals(entry.change.Key, key, StringComparison.Ordinal)))
                .OrderByDescending(entry => entry.change.Version)
                .ThenByDescending(entry => entry.index)
                .Take(limit)
                .Select(entry => entry.change)]);
    }

    /// <inheritdoc />
    /// <remarks>The highest sequence ever committed: deleting the events that carried it does not lower it.</remarks>
    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => _lastSequence);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Read(cancellationToken, () => (IReadOnlyList<Guid>)[.. _identifiers
            .Where(p => p.Key.Kind is IdentifierKind.UserId or IdentifierKind.AnonymousId && p.Key.Value.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p.Value)
            .Where(_liveProfiles.Contains)
            .Distinct()
            .Order()
            .Skip(offset)
            .Take(limit)]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => (IReadOnlyList<StoredApiKey>)[.. _apiKeys.Values]);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        return ValueTask.CompletedTask;
    }

    // Under the lock: the same lists the single reads return.
    private StoredProfileState? StateOf(Guid profileId)
    {
        if (!_profiles.TryGetValue(profileId, out var profile))
        {
            return null;
        }

        return new StoredProfileState(
            profile,
            _identifiersByProfile.TryGetValue(profileId, out var identifiers)
                ? [.. identifiers.OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)]
                : [],
            _eventsByProfile.TryGetValue(profileId, out var sequences) ? [.. sequences.Select(sequence => _events[sequence])] : [],
            _memberships.TryGetValue(profileId, out var memberships)
                ? [.. memberships.Values.OrderBy(membership => membership.Segment, StringComparer.Ordinal)]
                : [],
            _traitValues.TryGetValue(profileId, out var values) ? [.. values.Values.OrderBy(value => value.Trait, StringComparer.Ordinal)] : []);
    }

    private Task<T> Read<T>(CancellationToken cancellationToken, Func<T> read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult(read());
        }
    }

    private static IEnumerable<Guid> After(SortedSet<Guid> ids, Guid? after)
    {
        if (after is not { } start)
        {
            return ids;
        }

        if (ids.Count == 0 || start.CompareTo(ids.Max) >= 0)
        {
            return [];
        }

        return ids.GetViewBetween(start, ids.Max).SkipWhile(id => id == start);
    }

    // Everything that can make a commit fail is checked here, against the state the earlier steps of
    // the same transaction would produce, so Apply cannot fail halfway: first what needs no state
    // (StoreTransaction.Validate, as every store does), then what does.
    private void Validate(StoreTransaction transaction)
    {
        transaction.Validate();
        var pendingMergedInto = new Dictionary<Guid, Guid?>();
        foreach (var profile in transaction.Profiles)
        {
            pendingMergedInto[profile.Id] = profile.MergedInto;
        }

        foreach (var merge in transaction.Merges)
        {
            var survivorMergedInto = pendingMergedInto.TryGetValue(merge.Survivor, out var pending)
                ? pending
                : _profiles.GetValueOrDefault(merge.Survivor)?.MergedInto;
            if (survivorMergedInto is not null)
            {
                throw new ArgumentException($"Profile {merge.Survivor} was absorbed by {survivorMergedInto} and cannot absorb {merge.Absorbed}.", nameof(transaction));
            }

            pendingMergedInto[merge.Absorbed] = merge.Survivor;
        }

        foreach (var storedEvent in transaction.Events)
        {
            if (_events.ContainsKey(storedEvent.Sequence))
            {
                throw new ArgumentException($"An event with sequence {storedEvent.Sequence} is already stored.", nameof(transaction));
            }
        }

        // A message id is remembered once within the dedupe window: remembering it again is a
        // duplicate the engine should have caught, so the whole commit is refused.
        var messageIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (messageId, _) in transaction.MessageIds)
        {
            if (_messageIds.ContainsKey(messageId) || !messageIds.Add(messageId))
            {
                throw new ArgumentException($"Message id '{messageId}' is already remembered.", nameof(transaction));
            }
        }

        var hashes = _apiKeys.Values.ToDictionary(k => k.Hash, k => k.Id, StringComparer.Ordinal);
        foreach (var key in transaction.ApiKeys)
        {
            if (hashes.TryGetValue(key.Hash, out var owner) && owner != key.Id)
            {
                throw new ArgumentException("Another API key already has that hash.", nameof(transaction));
            }

            hashes[key.Hash] = key.Id;
        }
    }

    private List<long> Apply(StoreTransaction transaction)
    {
        foreach (var profile in transaction.Profiles)
        {
            SetProfile(profile with { CreatedAt = Instant(profile.CreatedAt) });
        }

        foreach (var merge in transaction.Merges)
        {
            ApplyMerge(merge with { At = Instant(merge.At) });
        }

        foreach (var (identifier, profileId) in transaction.Identifiers)
        {
            AttachIdentifier(identifier, profileId);
        }

        foreach (var storedEvent in transaction.Events)
        {
            AddEvent(storedEvent with
            {
                Timestamp = Instant(storedEvent.Timestamp),
                ReceivedAt = Instant(storedEvent.ReceivedAt),
                OriginalTimestamp = storedEvent.OriginalTimestamp is { } original ? Instant(original) : null,
            });
        }

        foreach (var (messageId, receivedAt) in transaction.MessageIds)
        {
            _messageIds[messageId] = Instant(receivedAt);
        }

        foreach (var membership in transaction.Memberships)
        {
            SetMembership(membership with { Since = Instant(membership.Since), UpdatedAt = Instant(membership.UpdatedAt) });
        }

        foreach (var value in transaction.TraitValues)
        {
            Owned(_traitValues, value.ProfileId, () => new Dictionary<string, StoredTraitValue>(StringComparer.Ordinal))[value.Trait] =
                value with { UpdatedAt = Instant(value.UpdatedAt) };
        }

        var cursors = new List<long>(transaction.Changes.Count);
        foreach (var change in transaction.Changes)
        {
            var cursor = _changes.Count + 1L;
            _changes.Add(change with { Cursor = cursor, At = Instant(change.At) });
            cursors.Add(cursor);
        }

        foreach (var profileId in transaction.DeletedProfiles)
        {
            DeleteProfile(profileId);
        }

        foreach (var identifier in transaction.Suppressions)
        {
            _suppressions.Add(identifier);
        }

        foreach (var definition in transaction.Definitions)
        {
            _definitions[(definition.Kind, definition.Key)] =
                definition with { CreatedAt = Instant(definition.CreatedAt), UpdatedAt = Instant(definition.UpdatedAt) };
        }

        foreach (var deleted in transaction.DeletedDefinitions)
        {
            _definitions.Remove(deleted);
        }

        foreach (var change in transaction.DefinitionChanges)
        {
            _definitionHistory.Add(change with { At = Instant(change.At) });
        }

        if (transaction.CatalogVersion is { } version)
        {
            _catalogVersion = version;
        }

        foreach (var key in transaction.ApiKeys)
        {
            _apiKeys[key.Id] = key with { CreatedAt = Instant(key.CreatedAt), RevokedAt = key.RevokedAt is { } revoked ? Instant(revoked) : null };
        }

        if (transaction.ForgetMessageIdsBefore is { } before)
        {
            var cutoff = Instant(before);
            foreach (var (messageId, receivedAt) in _messageIds.ToList())
            {
                if (receivedAt < cutoff)
                {
                    _messageIds.Remove(messageId);
                }
            }
        }

        return cursors;
    }

    private void SetProfile(StoredProfile profile)
    {
        _profiles[profile.Id] = profile;
        if (profile.MergedInto is null)
        {
            _liveProfiles.Add(profile.Id);
        }
        else
        {
            _liveProfiles.Remove(profile.Id);
        }
    }

    private void ApplyMerge(StoredMerge merge)
    {
        var (survivor, absorbed) = (merge.Survivor, merge.Absorbed);

        if (_eventsByProfile.Remove(absorbed, out var sequences))
        {
            var survivorSequences = Owned(_eventsByProfile, survivor, () => new SortedSet<long>());
            foreach (var sequence in sequences)
            {
                _events[sequence] = _events[sequence] with { ProfileId = survivor };
                survivorSequences.Add(sequence);
            }
        }

        if (_identifiersByProfile.Remove(absorbed, out var identifiers))
        {
            foreach (var identifier in identifiers)
            {
                AttachIdentifier(identifier, survivor);
            }
        }

        // On a clash the survivor's value stays: the engine recomputes the survivor's traits anyway.
        if (_traitValues.Remove(absorbed, out var values))
        {
            var survivorValues = Owned(_traitValues, survivor, () => new Dictionary<string, StoredTraitValue>(StringComparer.Ordinal));
            foreach (var value in values.Values)
            {
                survivorValues.TryAdd(value.Trait, value with { ProfileId = survivor });
            }
        }

        RemoveMemberships(absorbed);

        foreach (var profile in _profiles.Values.Where(profile => profile.Id == absorbed || profile.MergedInto == absorbed).ToList())
        {
            SetProfile(profile with { MergedInto = survivor });
        }

        _merges.Add(merge);
    }

    private void AttachIdentifier(Identifier identifier, Guid profileId)
    {
        if (_identifiers.TryGetValue(identifier, out var previous))
        {
            if (previous == profileId)
            {
                return;
            }

            Disown(_identifiersByProfile, previous, owned => owned.Remove(identifier) && owned.Count == 0);
        }

        _identifiers[identifier] = profileId;
        Owned(_identifiersByProfile, profileId, () => new HashSet<Identifier>()).Add(identifier);
    }

    private void AddEvent(StoredEvent storedEvent)
    {
        _events[storedEvent.Sequence] = storedEvent;
        _eventMessageIds[storedEvent.MessageId] = storedEvent.Sequence;
        Owned(_eventsByProfile, storedEvent.ProfileId, () => new SortedSet<long>()).Add(storedEvent.Sequence);
        _lastSequence = Math.Max(_lastSequence, storedEvent.Sequence);
    }

    private void SetMembership(StoredMembership membership)
    {
        Owned(_memberships, membership.ProfileId, () => new Dictionary<string, StoredMembership>(StringComparer.Ordinal))[membership.Segment] = membership;
        var members = Owned(_segmentMembers, membership.Segment, () => new SortedSet<Guid>());
        if (membership.InSegment)
        {
            members.Add(membership.ProfileId);
        }
        else
        {
            members.Remove(membership.ProfileId);
        }
    }

    private void RemoveMemberships(Guid profileId)
    {
        if (_memberships.Remove(profileId, out var owned))
        {
            foreach (var segment in owned.Keys)
            {
                Disown(_segmentMembers, segment, members => members.Remove(profileId) && members.Count == 0);
            }
        }
    }

    private void DeleteProfile(Guid profileId)
    {
        // The profile and every profile absorbed into it, at any depth.
        var doomed = new HashSet<Guid> { profileId };
        var frontier = new Queue<Guid>(doomed);
        while (frontier.TryDequeue(out var id))
        {
            foreach (var absorbed in _profiles.Values.Where(profile => profile.MergedInto == id).Select(profile => profile.Id))
            {
                if (doomed.Add(absorbed))
                {
                    frontier.Enqueue(absorbed);
                }
            }
        }

        foreach (var id in doomed)
        {
            if (_eventsByProfile.Remove(id, out var sequences))
            {
                foreach (var sequence in sequences)
                {
                    _eventMessageIds.Remove(_events[sequence].MessageId);
                    _events.Remove(sequence);
                }
            }

            if (_identifiersByProfile.Remove(id, out var identifiers))
            {
                foreach (var identifier in identifiers)
                {
                    _identifiers.Remove(identifier);
                }
            }

            RemoveMemberships(id);
            _traitValues.Remove(id);
            _merges.RemoveAll(merge => merge.Survivor == id || merge.Absorbed == id);
            _profiles.Remove(id);
            _liveProfiles.Remove(id);
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

    // What every store keeps of an instant: UTC, whole milliseconds (truncated toward the past).
    private static DateTimeOffset Instant(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
