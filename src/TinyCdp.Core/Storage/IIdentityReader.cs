using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>Reads of identifiers: who owns them, which are suppressed, a profile's, and a search by prefix.</summary>
public interface IIdentityReader
{
    /// <summary>The profiles owning these identifiers (identifiers without a profile are absent).</summary>
    Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default);

    /// <summary>Which of these identifiers are suppressed.</summary>
    Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default);

    /// <summary>A profile's identifiers.</summary>
    Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Live profiles owning a user id or anonymous id that starts with <paramref name="prefix"/>
    /// (ordinal), each once, ascending by profile id, skipping <paramref name="offset"/>.
    /// </summary>
    Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default);
}
