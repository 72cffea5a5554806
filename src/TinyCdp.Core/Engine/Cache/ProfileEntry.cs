using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Cache;

/// <summary>
/// A cached profile: the snapshot readers see, and the live aggregators behind it. The gate is
/// held by the writer from its first change to the publish after commit, and by a reader while it
/// refreshes the snapshot, so a reader never sees uncommitted data.
/// </summary>
internal sealed class ProfileEntry(Guid id)
{
    private ProfileSnapshot? _snapshot;

    public Guid Id { get; } = id;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The published snapshot; null until loaded.</summary>
    public ProfileSnapshot? Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    /// <summary>The aggregators (under the gate only).</summary>
    public ProfileAggregates? Live { get; set; }

    /// <summary>The trait values last written to the store (under the gate only).</summary>
    public ImmutableDictionary<string, string> StoredTraits { get; set; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Last time the entry was used, for eviction (ticks).</summary>
    public long LastUsed;

    /// <summary>True once the profile was deleted or absorbed: callers must look it up again.</summary>
    public volatile bool Retired;

    /// <summary>True once another node changed the profile and the entry was dropped: take a fresh entry.</summary>
    public volatile bool Stale;
}
