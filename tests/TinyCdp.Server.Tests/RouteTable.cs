using TinyCdp.Storage;

namespace TinyCdp.Server.Tests;

/// <summary>Every route of the server with the tier it needs (null: anonymous) and a concrete path to call.</summary>
public static class RouteTable
{
    public static readonly (string Method, string Pattern, ApiKeyKind? Tier, string Path)[] All =
    [
        ("GET", "/health", null, "/health"),
        ("GET", "/health/ready", null, "/health/ready"),
        ("GET", "/ingest/health", null, "/ingest/health"),
        ("GET", "/decide/health", null, "/decide/health"),
        ("GET", "/admin/health", null, "/admin/health"),
        ("GET", "/traits/health", null, "/traits/health"),
        ("GET", "/segments/health", null, "/segments/health"),
        ("GET", "/identity/health", null, "/identity/health"),
        ("GET", "/export/health", null, "/export/health"),
        ("GET", "/openapi/{documentName}.json", null, "/openapi/v1.json"),
    ];
}
