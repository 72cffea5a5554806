using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>What one group commit is changing; the gates of every profile it touches are held until it ends.</summary>
internal sealed class WriteBatch(DateTimeOffset now, ChangeCause cause)
{
    public DateTimeOffset Now { get; } = now;

    public ChangeCause Cause { get; } = cause;

    /// <summary>For re-evaluations at a past instant (the timer).</summary>
    public DateTimeOffset? EvaluateAt { get; init; }

    public StoreTransaction Transaction { get; } = new();

    public Dictionary<Guid, WorkingProfile> Profiles { get; } = [];

    public Dictionary<Identifier, Guid> Owners { get; } = [];

    public Dictionary<Guid, Guid> MergedInto { get; } = [];

    public HashSet<Guid> Deleted { get; } = [];

    public HashSet<string> KnownMessageIds { get; } = new(StringComparer.Ordinal);

    public HashSet<string> SeenMessageIds { get; } = new(StringComparer.Ordinal);

    public HashSet<Identifier> Suppressed { get; } = [];

    public HashSet<ProfileEntry> Gated { get; } = [];

    /// <summary>The batch whose commit was in flight when this one started (its state is this one's basis).</summary>
    public WriteBatch? Basis { get; set; }

    /// <summary>
    /// What the store may not show yet of the basis's uncommitted writes: who owns its profiles'
    /// identifiers, its merges, the message ids it remembers. Only the basis's own (its basis was
    /// committed and published before its commit started).
    /// </summary>
    public void InheritFrom(WriteBatch? basis)
    {
        if (basis is null)
        {
            return;
        }

        foreach (var working in basis.Profiles.Values)
        {
            if (!working.Retired)
            {
                foreach (var identifier in working.Identifiers)
                {
                    Owners[identifier] = working.Id;
                }
            }
        }

        foreach (var merge in basis.Transaction.Merges)
        {
            MergedInto[merge.Absorbed] = merge.Survivor;
        }

        foreach (var (messageId, _) in basis.Transaction.MessageIds)
        {
            KnownMessageIds.Add(messageId);
        }
    }

    /// <summary>The profile a (possibly absorbed) id ends in after this batch's merges.</summary>
    public Guid Follow(Guid profileId)
    {
        while (MergedInto.TryGetValue(profileId, out var survivor))
        {
            profileId = survivor;
        }

        return profileId;
    }

    public void ReleaseGates()
    {
        foreach (var entry in Gated)
        {
            entry.Gate.Release();
        }

        Gated.Clear();
    }
}
