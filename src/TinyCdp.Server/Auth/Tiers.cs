using TinyCdp.Storage;

namespace TinyCdp.Server.Auth;

/// <summary>The authorization policies, one per key tier.</summary>
internal static class Tiers
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";
    public const string TierClaim = "tinycdp:tier";
    public const string KeyIdClaim = "tinycdp:key";

    public static string Name(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Admin => Admin,
        ApiKeyKind.Write => Write,
        _ => Read,
    };
}
