
namespace TinyCdp.Keys;

/// <summary>
/// API keys: random secrets (256 bits from a cryptographic RNG), stored only as SHA-256, compared
/// in constant time, and cached so that checking a key costs no store query. A revoke takes effect
/// at once in this process.
/// </summary>
public interface IApiKeyService
{
    /// <summary>Creates a key of a tier; the secret is returned this once.</summary>
    Task<CreatedApiKey> CreateAsync(ApiKeyKind kind, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Accepts a secret chosen by the operator (e.g. from configuration) as a key of a tier; does nothing if it is already known.</summary>
    Task<ApiKeyInfo> ImportAsync(string secret, ApiKeyKind kind, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; false when there is no active key with that id.</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every key, revoked ones included, without secrets.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The key a secret belongs to (revoked keys included, so callers can tell 401 from 403); null for an unknown secret.</summary>
    ValueTask<ApiKeyInfo?> FindAsync(string secret, CancellationToken cancellationToken = default);
}
