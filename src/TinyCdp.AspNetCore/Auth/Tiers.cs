using System.Security.Claims;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore.Auth;

/// <summary>The authorization policies, one per key tier.</summary>
internal static class Tiers
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";
    public const string TierClaim = "tinycdp:tier";
    public const string KeyIdClaim = "tinycdp:key";

    /// <summary>The tier of the caller's key; null without one.</summary>
    public static ApiKeyKind? Of(ClaimsPrincipal user) => user is ApiKeyPrincipal principal
        ? principal.Tier
        : Enum.TryParse<ApiKeyKind>(user.FindFirst(TierClaim)?.Value, out var tier) ? tier : null;

    /// <summary>The id of the caller's key; null without one.</summary>
    public static string? KeyIdOf(ClaimsPrincipal user) => user is ApiKeyPrincipal principal ? principal.KeyId : user.FindFirst(KeyIdClaim)?.Value;

    public static string Name(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Admin => Admin,
        ApiKeyKind.Write => Write,
        _ => Read,
    };
}
