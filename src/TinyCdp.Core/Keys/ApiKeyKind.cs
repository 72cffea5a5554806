namespace TinyCdp.Keys;

/// <summary>What an API key may do (HTTP-API.md "Keys and tiers").</summary>
public enum ApiKeyKind
{
    /// <summary>Decide, OFREP, list definitions.</summary>
    Read,

    /// <summary>Everything read may, plus ingest.</summary>
    Write,

    /// <summary>Everything, including user data, exports and keys.</summary>
    Admin,
}
