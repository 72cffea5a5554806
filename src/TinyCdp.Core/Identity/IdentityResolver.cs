
namespace TinyCdp.Identity;

/// <summary>
/// SEMANTICS.md §2 resolution, as a pure function over lookups: find the profiles owning a
/// message's identifiers; none → a new profile; one → attach; several → merge into the oldest,
/// unless the result would hold two different user ids, in which case the message's
/// lowest-priority identifier is dropped and resolution starts again.
/// </summary>
internal static class IdentityResolver
{
    /// <summary>What the resolver needs to know about an existing profile.</summary>
    public readonly record struct ProfileFacts(DateTimeOffset CreatedAt, string? UserId);

    /// <summary>
    /// Resolves <paramref name="identifiers"/>, given highest priority first: identifiers of kind
    /// <see cref="IdentifierKind.UserId"/> that are not <paramref name="droppable"/> are never dropped;
    /// the others are dropped from the end of the list.
    /// </summary>
    public static IdentityResolution Resolve(
        IReadOnlyList<Identifier> identifiers,
        Func<Identifier, bool> droppable,
        Func<Identifier, Guid?> ownerOf,
        Func<Guid, ProfileFacts> factsOf,
        Func<Guid> newProfileId)
    {
        var remaining = identifiers.Distinct().ToList();
        var dropped = new List<Identifier>();
        while (true)
        {
            var owners = new List<Guid>();
            foreach (var identifier in remaining)
            {
                if (ownerOf(identifier) is { } owner && !owners.Contains(owner))
                {
                    owners.Add(owner);
                }
            }

            var userIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var identifier in remaining)
            {
                if (identifier.Kind == IdentifierKind.UserId && !droppable(identifier))
                {
                    userIds.Add(identifier.Value);
                }
            }

            foreach (var owner in owners)
            {
                if (factsOf(owner).UserId is { } userId)
                {
                    userIds.Add(userId);
                }
            }

            // A droppable user id (an alias's previous id) joining a profile must not add a second user id either.
            foreach (var identifier in remaining)
            {
                if (identifier.Kind == IdentifierKind.UserId && droppable(identifier) && ownerOf(identifier) is null)
                {
                    userIds.Add(identifier.Value);
                }
            }

            if (userIds.Count > 1)
            {
                var drop = remaining.FindLastIndex(i => droppable(i) || i.Kind != IdentifierKind.UserId);
                if (drop >= 0)
                {
                    dropped.Add(remaining[drop]);
                    remaining.RemoveAt(drop);
                    continue;
                }
            }

            if (owners.Count == 0)
            {
                return new IdentityResolution(newProfileId(), true, [], remaining, dropped);
            }

            var survivor = owners
                .OrderBy(o => factsOf(o).CreatedAt)
                .ThenBy(o => o)
                .First();
            var absorbed = owners.Where(o => o != survivor).ToList();
            var attach = remaining.Where(i => ownerOf(i) != survivor).ToList();
            return new IdentityResolution(survivor, false, absorbed, attach, dropped);
        }
    }
}
