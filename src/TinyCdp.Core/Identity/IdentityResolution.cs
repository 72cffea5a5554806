
namespace TinyCdp.Identity;

/// <summary>Where a message's identifiers lead: the profile it belongs to and what changes.</summary>
/// <param name="ProfileId">The profile the message belongs to (possibly new).</param>
/// <param name="Created">True when <see cref="ProfileId"/> is a new profile.</param>
/// <param name="Absorbed">Profiles merged into <see cref="ProfileId"/>, if any.</param>
/// <param name="Attach">Identifiers of the message that <see cref="ProfileId"/> did not own yet (after the merge).</param>
/// <param name="Dropped">Identifiers of the message left out to keep one user id per profile.</param>
internal sealed record IdentityResolution(Guid ProfileId, bool Created, IReadOnlyList<Guid> Absorbed, IReadOnlyList<Identifier> Attach, IReadOnlyList<Identifier> Dropped);
