using TinyCdp.Storage;

namespace TinyCdp.Keys;

/// <summary>
/// What <see cref="ApiKeyService"/> needs of the engine: the stored keys, writes that go through the
/// engine's single writer, and a version that changes when another node created or revoked keys.
/// </summary>
internal interface IApiKeyRecords
{
    /// <summary>Changes whenever another node created or revoked API keys (the key cache reloads).</summary>
    long KeysEpoch { get; }

    /// <summary>Every stored key, revoked ones included (starts the engine first).</summary>
    Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new key through the writer.</summary>
    Task CreateApiKeyAsync(StoredApiKey key, CancellationToken cancellationToken);

    /// <summary>Revokes an active key through the writer; false when it is unknown or already revoked.</summary>
    Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
