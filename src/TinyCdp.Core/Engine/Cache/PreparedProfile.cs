using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Cache;

/// <summary>A stored profile with its aggregators already rebuilt from its messages (which are not kept).</summary>
internal sealed record PreparedProfile(
    StoredProfile Row,
    IReadOnlyList<Identifier> Identifiers,
    IReadOnlyList<StoredMembership> Memberships,
    IReadOnlyList<StoredTraitValue> TraitValues,
    ProfileProperties Properties,
    ProfileAggregates Aggregates,
    CatalogSnapshot Catalog,
    DateTimeOffset Horizon);
