using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>A profile being changed by a <see cref="WriteBatch"/>: its copy of the profile's state until the batch is published.</summary>
internal sealed class WorkingProfile(ProfileEntry entry, bool isNew, DateTimeOffset createdAt, List<Identifier> identifiers,
    ProfileProperties properties, ProfileAggregates live, ImmutableDictionary<string, StoredMembership> memberships, long version,
    ImmutableDictionary<string, string> storedTraits)
{
    public ProfileEntry Entry { get; } = entry;

    public Guid Id => Entry.Id;

    public bool IsNew { get; } = isNew;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public List<Identifier> Identifiers { get; } = identifiers;

    public ProfileProperties Properties { get; set; } = properties;

    /// <summary>The properties the batch started from (the row is rewritten when they change).</summary>
    public ProfileProperties InitialProperties { get; } = properties;

    /// <summary>The snapshot to publish after the commit (set when the commit is prepared).</summary>
    public ProfileSnapshot? Published { get; set; }

    /// <summary>How many consecutive batches before this one held the profile's gate without releasing it.</summary>
    public int Handovers { get; init; }

    public ProfileAggregates Live { get; set; } = live;

    public ImmutableDictionary<string, StoredMembership> Memberships { get; } = memberships;

    public long Version { get; } = version;

    public ImmutableDictionary<string, string> StoredTraits { get; set; } = storedTraits;

    /// <summary>The messages this batch stores for the profile (a rebuild replays them after the stored ones).</summary>
    public List<StoredEvent> Pending { get; } = [];

    /// <summary>Stored profiles this one absorbed in this batch (a rebuild reads their messages too).</summary>
    public List<Guid> AbsorbedStored { get; } = [];

    public bool NeedsRebuild { get; set; }

    public bool Merged { get; set; }

    public bool Retired { get; set; }

    public string? UserId => Identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value;

    public IdentityResolver.ProfileFacts Facts => new(CreatedAt, UserId);

    /// <summary>A working copy of a cached profile's published state (caller holds the entry's gate).</summary>
    public static WorkingProfile FromEntry(ProfileEntry entry, bool isNew)
    {
        var snapshot = entry.Snapshot!;
        return new WorkingProfile(entry, isNew, snapshot.CreatedAt,
            [.. snapshot.Identifiers], snapshot.Properties, entry.Live!, snapshot.Memberships, snapshot.Version, entry.StoredTraits);
    }
}
