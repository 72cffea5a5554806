namespace TinyCdp.Storage;

/// <summary>The stored API keys.</summary>
public interface IApiKeyReader
{
    /// <summary>Every API key, revoked ones included, ordered by id.</summary>
    Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default);
}
