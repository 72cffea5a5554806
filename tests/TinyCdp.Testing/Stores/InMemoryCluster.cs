using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Storage;
using TinyCdp.Testing.Differential;

namespace TinyCdp.Testing.Stores;

/// <summary>
/// One in-memory database shared by several engines ("nodes"), with the <see cref="ISharedCdpStore"/>
/// protocol done the simplest way: one lock for write turns, a list for the shared log, a signal per
/// node for notifications. It lets the engine's multi-node logic be tested without PostgreSQL; the
/// PostgreSQL store runs the same tests for real.
/// </summary>
public sealed class InMemoryCluster : IDifferentialStore
{
    private readonly InMemoryCdpStore _store = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _log = [];
    private readonly List<Node> _nodes = [];
    private long _prunedThrough;

    /// <summary>How many commits the cluster took.</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _log.Count == 0 ? _prunedThrough : _log[^1].Version;
            }
        }
    }

    /// <summary>A new node's view of the cluster (each engine gets its own; disposing it leaves the data).</summary>
    public ICdpStore Open()
    {
        var node = new Node(this, Guid.NewGuid());
        lock (_lock)
        {
            _nodes.Add(node);
        }

        return node;
    }

    /// <summary>Forgets every log entry (as if the log had been pruned past every node).</summary>
    public void PruneLog()
    {
        lock (_lock)
        {
            if (_log.Count > 0)
            {
                _prunedThrough = _log[^1].Version;
                _log.Clear();
            }
        }
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private async Task<IReadOnlyList<long>> CommitLockedAsync(Guid node, StoreTransaction transaction, CancellationToken cancellationToken)
    {
        var cursors = await _store.CommitAsync(transaction, cancellationToken);
        if (transaction.IsEmpty)
        {
            return cursors;
        }

        var profiles = transaction.Profiles.Select(p => p.Id)
            .Concat(transaction.Merges.SelectMany(m => new[] { m.Survivor, m.Absorbed }))
            .Concat(transaction.Identifiers.Select(i => i.ProfileId))
            .Concat(transaction.Events.Select(e => e.ProfileId))
            .Concat(transaction.Memberships.Select(m => m.ProfileId))
            .Concat(transaction.TraitValues.Select(t => t.ProfileId))
            .Concat(transaction.Changes.Select(c => c.ProfileId))
            .Concat(transaction.DeletedProfiles)
            .ToHashSet();
        List<Node> nodes;
        lock (_lock)
        {
            var previous = _log.Count == 0 ? (_prunedThrough, LastSequence: 0L) : (_log[^1].Version, _log[^1].LastSequence);
            var lastSequence = Math.Max(previous.LastSequence, transaction.Events.Count == 0 ? 0 : transaction.Events.Max(e => e.Sequence));
            _log.Add(new LogEntry(previous.Item1 + 1, node, [.. profiles],
                transaction.CatalogVersion is not null || transaction.Definitions.Count > 0 || transaction.DeletedDefinitions.Count > 0,
                transaction.ApiKeys.Count > 0, lastSequence));
            nodes = [.. _nodes];
        }

        foreach (var other in nodes.Where(n => n.Id != node))
        {
            other.Notify();
        }

        return cursors;
    }

    private SharedChanges Read(Guid node, long seenVersion)
    {
        lock (_lock)
        {
            var newest = _log.Count == 0 ? _prunedThrough : _log[^1].Version;
            var lastSequence = _log.Count == 0 ? 0 : _log[^1].LastSequence;
            if (seenVersion < 0)
            {
                return new SharedChanges(newest, lastSequence, true, false, false, []);
            }

            var complete = seenVersion >= _prunedThrough;
            var others = _log.Where(e => e.Version > seenVersion && e.Node != node).ToList();
            return new SharedChanges(newest, lastSequence, complete, others.Any(e => e.Catalog), others.Any(e => e.Keys),
                [.. others.SelectMany(e => e.Profiles).Distinct()]);
        }
    }

    private sealed record LogEntry(long Version, Guid Node, IReadOnlyList<Guid> Profiles, bool Catalog, bool Keys, long LastSequence);

    private sealed class Node(InMemoryCluster cluster, Guid id) : ISharedCdpStore
    {
        private readonly ICdpStore _inner = new NonDisposingStore(cluster._store);
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Guid Id { get; } = id;

        public void Notify() => Volatile.Read(ref _signal).TrySetResult();

        public async Task<ISharedWriteTurn> BeginWriteTurnAsync(long seenVersion, CancellationToken cancellationToken = default)
        {
            await cluster._turn.WaitAsync(cancellationToken);
            return new Turn(this, cluster.Read(Id, seenVersion));
        }

        public Task<SharedChanges> ReadSharedChangesAsync(long seenVersion, CancellationToken cancellationToken = default) =>
            Task.FromResult(cluster.Read(Id, seenVersion));

        public async Task<bool> WaitForSharedChangeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var signal = Volatile.Read(ref _signal);
            var completed = await Task.WhenAny(signal.Task, Task.Delay(timeout, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (completed != signal.Task)
            {
                return false;
            }

            Interlocked.CompareExchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), signal);
            return true;
        }

        public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
        {
            await cluster._turn.WaitAsync(cancellationToken);
            try
            {
                return await cluster.CommitLockedAsync(Id, transaction, cancellationToken);
            }
            finally
            {
                cluster._turn.Release();
            }
        }

        public Task MigrateAsync(CancellationToken cancellationToken = default) => _inner.MigrateAsync(cancellationToken);

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default) => _inner.IsReachableAsync(cancellationToken);

        public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default) =>
            _inner.FindKnownMessageIdsAsync(messageIds, cancellationToken);

        public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
            _inner.FindProfilesAsync(identifiers, cancellationToken);

        public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default) =>
            _inner.FindSuppressedAsync(identifiers, cancellationToken);

        public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) => _inner.GetProfileAsync(profileId, cancellationToken);

        public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
            _inner.GetIdentifiersAsync(profileId, cancellationToken);

        public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) => _inner.GetEventsAsync(profileId, cancellationToken);

        public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) => _inner.GetMergesAsync(profileId, cancellationToken);

        public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
            _inner.GetMembershipsAsync(profileId, cancellationToken);

        public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
            _inner.GetTraitValuesAsync(profileId, cancellationToken);

        public Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
            _inner.LoadProfileStateAsync(profileId, cancellationToken);

        public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default) =>
            _inner.LoadProfileStatesAsync(profileIds, cancellationToken);

        public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default) =>
            _inner.ListProfileIdsAsync(after, limit, cancellationToken);

        public Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default) =>
            _inner.SampleProfileIdsAsync(limit, cancellationToken);

        public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) => _inner.CountProfilesAsync(cancellationToken);

        public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default) =>
            _inner.ListSegmentMembersAsync(segment, after, limit, cancellationToken);

        public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default) =>
            _inner.ReadChangesAsync(after, limit, cancellationToken);

        public Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default) =>
            _inner.GetSegmentSizesAsync(cancellationToken);

        public Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default) =>
            _inner.GetSegmentSizeHistoryAsync(segment, cancellationToken);

        public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
            _inner.GetDefinitionsAsync(cancellationToken);

        public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default) =>
            _inner.GetDefinitionHistoryAsync(kind, key, limit, cancellationToken);

        public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default) =>
            _inner.SearchProfilesAsync(prefix, limit, offset, cancellationToken);

        public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) => _inner.GetApiKeysAsync(cancellationToken);

        public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) => _inner.GetLastSequenceAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            lock (cluster._lock)
            {
                cluster._nodes.Remove(this);
            }

            return ValueTask.CompletedTask;
        }

        private sealed class Turn(Node node, SharedChanges changes) : ISharedWriteTurn
        {
            private bool _ended;

            public SharedChanges Changes { get; } = changes;

            public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
            {
                ObjectDisposedException.ThrowIf(_ended, this);
                try
                {
                    return await node.Cluster.CommitLockedAsync(node.Id, transaction, cancellationToken);
                }
                finally
                {
                    End();
                }
            }

            public ValueTask DisposeAsync()
            {
                End();
                return ValueTask.CompletedTask;
            }

            private void End()
            {
                if (!_ended)
                {
                    _ended = true;
                    node.Cluster._turn.Release();
                }
            }
        }

        private InMemoryCluster Cluster => cluster;
    }
}
