namespace TinyCdp.Keys;

/// <summary>A new key and its secret, which is shown this once and never stored.</summary>
/// <param name="Info">The key.</param>
/// <param name="Secret">The secret to give to the client.</param>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Secret);
