
namespace TinyCdp.Keys;

/// <summary>An API key without its secret.</summary>
/// <param name="Id">The public id (used to revoke).</param>
/// <param name="Kind">The tier.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while it works.</param>
public sealed record ApiKeyInfo(string Id, ApiKeyKind Kind, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>True while the key works.</summary>
    public bool Active => RevokedAt is null;

    /// <summary>Whether this key's tier includes <paramref name="required"/> (admin ⊇ write ⊇ read).</summary>
    public bool Allows(ApiKeyKind required) => Active && Kind >= required;
}
