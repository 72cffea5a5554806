using TinyCdp.Keys;

namespace TinyCdp.Storage;

/// <summary>An API key as stored: only the SHA-256 of the secret is kept.</summary>
/// <param name="Id">The public id, shown in listings and used to revoke.</param>
/// <param name="Hash">Lower-case hex SHA-256 of the secret.</param>
/// <param name="Kind">The tier.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while it works.</param>
public sealed record StoredApiKey(string Id, string Hash, ApiKeyKind Kind, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
