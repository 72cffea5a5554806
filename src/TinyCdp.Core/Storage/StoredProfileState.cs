using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>A profile as a store loads it in one read: the row and everything stored under its id.</summary>
/// <param name="Profile">The profile row.</param>
/// <param name="Identifiers">Its identifiers, by kind then value (ordinal).</param>
/// <param name="Events">Its messages in sequence order.</param>
/// <param name="Memberships">Its stored memberships, by segment (ordinal).</param>
/// <param name="TraitValues">Its stored trait values, by trait (ordinal).</param>
public sealed record StoredProfileState(
    StoredProfile Profile,
    IReadOnlyList<Identifier> Identifiers,
    IReadOnlyList<StoredEvent> Events,
    IReadOnlyList<StoredMembership> Memberships,
    IReadOnlyList<StoredTraitValue> TraitValues);
