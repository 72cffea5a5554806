using TinyCdp.Definitions;
using TinyCdp.Identity;

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
    private readonly InMemoryState _state = new();
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
            InMemoryCommit.Check(_state, transaction);
            var commit = new InMemoryCommit(_state);
            transaction.Walk(commit);
            return Task.FromResult(commit.Cursors);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return Read<IReadOnlySet<string>>(cancellationToken, () =>
            messageIds.Where(id => id is not null && _state.MessageIds.ContainsKey(id)).ToHashSet(StringComparer.Ordinal));
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
                if (identifier.Value is not null && _state.Identifiers.TryGetValue(identifier, out var profileId))
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
            identifiers.Where(identifier => identifier.Value is not null && _state.Suppressions.Contains(identifier)).ToHashSet());
    }

    /// <inheritdoc />
    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => _state.Profiles.GetValueOrDefault(profileId));

    /// <inheritdoc />
    /// <remarks>Ordered by kind, then by value (ordinal).</remarks>
    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<Identifier>>(cancellationToken, () =>
            _state.IdentifiersByProfile.TryGetValue(profileId, out var owned)
                ? [.. owned.OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredEvent>>(cancellationToken, () =>
            _state.EventsByProfile.TryGetValue(profileId, out var sequences) ? [.. sequences.Select(sequence => _state.Events[sequence])] : []);

    /// <inheritdoc />
    /// <remarks>Ordered by <see cref="StoredMerge.At"/>, then by commit order.</remarks>
    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredMerge>>(cancellationToken, () =>
            [.. _state.Merges.Where(merge => merge.Survivor == profileId).OrderBy(merge => merge.At)]);

    /// <inheritdoc />
    /// <remarks>Ordered by segment key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredMembership>>(cancellationToken, () =>
            _state.Memberships.TryGetValue(profileId, out var owned)
                ? [.. owned.Values.OrderBy(membership => membership.Segment, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    /// <remarks>Ordered by trait key (ordinal).</remarks>
    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredTraitValue>>(cancellationToken, () =>
            _state.TraitValues.TryGetValue(profileId, out var owned)
                ? [.. owned.Values.OrderBy(value => value.Trait, StringComparer.Ordinal)]
                : []);

    /// <inheritdoc />
    public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => _state.StateOf(profileId));

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profileIds);
        return Read<IReadOnlyDictionary<Guid, StoredProfileState>>(cancellationToken, () =>
        {
            var states = new Dictionary<Guid, StoredProfileState>();
            foreach (var profileId in profileIds)
            {
                if (!states.ContainsKey(profileId) && _state.StateOf(profileId) is { } state)
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
        return Read<IReadOnlyList<Guid>>(cancellationToken, () => [.. After(_state.LiveProfiles, after).Take(limit)]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<Guid>>(cancellationToken, () =>
        {
            // A partial Fisher-Yates shuffle: the first 'limit' places hold a uniform sample.
            var ids = _state.LiveProfiles.ToArray();
            var take = Math.Min(limit, ids.Length);
            for (var i = 0; i < take; i++)
            {
                var j = Random.Shared.Next(i, ids.Length);
                (ids[i], ids[j]) = (ids[j], ids[i]);
            }

            return [.. ids.Take(take).Order()];
        });
    }

    /// <inheritdoc />
    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => (long)_state.LiveProfiles.Count);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<StoredMembership>>(cancellationToken, () =>
            _state.SegmentMembers.TryGetValue(segment, out var members)
                ? [.. After(members, after).Take(limit).Select(profileId => _state.Memberships[profileId][segment])]
                : []);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        // Cursor n is at index n - 1.
        return Read<IReadOnlyList<StoredChange>>(cancellationToken, () =>
            [.. _state.Changes.Skip((int)Math.Clamp(after, 0, _state.Changes.Count)).Take(limit)]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default) =>
        Read<IReadOnlyDictionary<string, long>>(cancellationToken, () => new Dictionary<string, long>(_state.SegmentSizes, StringComparer.Ordinal));

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return Read<IReadOnlyList<StoredSegmentSizeChange>>(cancellationToken, () => _state.SegmentSizeHistory.TryGetValue(segment, out var history)
            ? [.. history.Select(h => new StoredSegmentSizeChange(segment, h.Key, h.Value.Entered, h.Value.Exited))]
            : []);
    }

    /// <inheritdoc />
    /// <remarks>Definitions are ordered by kind, then by key (ordinal).</remarks>
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        Read<(IReadOnlyList<StoredDefinition>, long)>(cancellationToken, () =>
            ([.. _state.Definitions.Values.OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)],
             _state.CatalogVersion));

    /// <inheritdoc />
    /// <remarks>Newest first means by descending version, then by descending commit order; null filters match everything.</remarks>
    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Read<IReadOnlyList<StoredDefinitionChange>>(cancellationToken, () =>
            [.. _state.DefinitionHistory
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
        Read(cancellationToken, () => _state.LastSequence);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Read(cancellationToken, () => (IReadOnlyList<Guid>)[.. _state.Identifiers
            .Where(p => p.Key.Kind is IdentifierKind.UserId or IdentifierKind.AnonymousId && p.Key.Value.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p.Value)
            .Where(_state.LiveProfiles.Contains)
            .Distinct()
            .Order()
            .Skip(offset)
            .Take(limit)]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        Read(cancellationToken, () => (IReadOnlyList<StoredApiKey>)[.. _state.ApiKeys.Values]);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        return ValueTask.CompletedTask;
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
}
