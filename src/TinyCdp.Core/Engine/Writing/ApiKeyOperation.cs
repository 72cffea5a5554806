using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// An API key created, or one revoked, through the writer like every other write (in the write turn
/// when the store is shared). The result is false when the key to revoke is unknown or already revoked.
/// </summary>
internal sealed class ApiKeyOperation : WriteOperation
{
    private ApiKeyOperation(StoredApiKey? created, string? revokeId, DateTimeOffset revokedAt)
    {
        Created = created;
        RevokeId = revokeId;
        RevokedAt = revokedAt;
    }

    /// <summary>The key to store, when one is created.</summary>
    public StoredApiKey? Created { get; }

    /// <summary>The id of the key to revoke, when one is revoked.</summary>
    public string? RevokeId { get; }

    public DateTimeOffset RevokedAt { get; }

    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ApiKeyOperation Create(StoredApiKey key) => new(key, null, default);

    public static ApiKeyOperation Revoke(string id, DateTimeOffset at) => new(null, id, at);
}
