using TinyCdp.Keys;

namespace TinyCdp.Server.Tests;

/// <summary>
/// Every route of the server with the tier it needs (null: anonymous) and a concrete path to call.
/// The authorization matrix checks this table against the server's endpoints, so a new route must be
/// added here with its tier.
/// </summary>
public static class RouteTable
{
    public static readonly (string Method, string Pattern, ApiKeyKind? Tier, string Path)[] All =
    [
        ("DELETE", "/v1/admin/flags/{key}", ApiKeyKind.Admin, "/v1/admin/flags/some_key"),
        ("DELETE", "/v1/admin/keys/{id}", ApiKeyKind.Admin, "/v1/admin/keys/key_does_not_exist"),
        ("DELETE", "/v1/admin/segments/{key}", ApiKeyKind.Admin, "/v1/admin/segments/some_key"),
        ("DELETE", "/v1/admin/traits/{key}", ApiKeyKind.Admin, "/v1/admin/traits/some_key"),
        ("DELETE", "/v1/admin/users/{id}", ApiKeyKind.Admin, "/v1/admin/users/nobody-to-delete"),
        ("GET", "/admin/health", null, "/admin/health"),
        ("GET", "/decide/health", null, "/decide/health"),
        ("GET", "/export/health", null, "/export/health"),
        ("GET", "/health", null, "/health"),
        ("GET", "/health/ready", null, "/health/ready"),
        ("GET", "/identity/health", null, "/identity/health"),
        ("GET", "/ingest/health", null, "/ingest/health"),
        ("GET", "/ofrep/v1/configuration", ApiKeyKind.Read, "/ofrep/v1/configuration"),
        ("GET", "/openapi/{documentName}.json", null, "/openapi/v1.json"),
        ("GET", "/segments/health", null, "/segments/health"),
        ("GET", "/traits/health", null, "/traits/health"),
        ("GET", "/v1/admin/changes", ApiKeyKind.Admin, "/v1/admin/changes"),
        ("GET", "/v1/admin/flags/", ApiKeyKind.Read, "/v1/admin/flags"),
        ("GET", "/v1/admin/flags/{key}", ApiKeyKind.Read, "/v1/admin/flags/some_key"),
        ("GET", "/v1/admin/keys/", ApiKeyKind.Admin, "/v1/admin/keys"),
        ("GET", "/v1/admin/metrics", ApiKeyKind.Admin, "/v1/admin/metrics"),
        ("GET", "/v1/admin/segments/", ApiKeyKind.Read, "/v1/admin/segments"),
        ("GET", "/v1/admin/segments/{key}", ApiKeyKind.Read, "/v1/admin/segments/some_key"),
        ("GET", "/v1/admin/segments/{key}/size", ApiKeyKind.Admin, "/v1/admin/segments/some_key/size"),
        ("GET", "/v1/admin/traits/", ApiKeyKind.Read, "/v1/admin/traits"),
        ("GET", "/v1/admin/traits/{key}", ApiKeyKind.Read, "/v1/admin/traits/some_key"),
        ("GET", "/v1/admin/users/search", ApiKeyKind.Admin, "/v1/admin/users/search?query=someone"),
        ("GET", "/v1/admin/users/{id}", ApiKeyKind.Admin, "/v1/admin/users/someone"),
        ("GET", "/v1/admin/users/{id}/explain", ApiKeyKind.Admin, "/v1/admin/users/someone/explain?flag=some_flag"),
        ("GET", "/v1/decide", ApiKeyKind.Read, "/v1/decide?userId=someone&flag=some_flag"),
        ("GET", "/v1/export/segment/{key}", ApiKeyKind.Admin, "/v1/export/segment/some_key"),
        ("GET", "/v1/export/segment/{key}.csv", ApiKeyKind.Admin, "/v1/export/segment/some_key.csv"),
        ("POST", "/ofrep/v1/evaluate/flags", ApiKeyKind.Read, "/ofrep/v1/evaluate/flags"),
        ("POST", "/ofrep/v1/evaluate/flags/{key}", ApiKeyKind.Read, "/ofrep/v1/evaluate/flags/some_key"),
        ("POST", "/v1/admin/flags/", ApiKeyKind.Admin, "/v1/admin/flags"),
        ("POST", "/v1/admin/keys/", ApiKeyKind.Admin, "/v1/admin/keys"),
        ("POST", "/v1/admin/preview", ApiKeyKind.Admin, "/v1/admin/preview"),
        ("POST", "/v1/admin/segments/", ApiKeyKind.Admin, "/v1/admin/segments"),
        ("POST", "/v1/admin/traits/", ApiKeyKind.Admin, "/v1/admin/traits"),
        ("POST", "/v1/admin/validate", ApiKeyKind.Admin, "/v1/admin/validate"),
        ("POST", "/v1/alias", ApiKeyKind.Write, "/v1/alias"),
        ("POST", "/v1/batch", ApiKeyKind.Write, "/v1/batch"),
        ("POST", "/v1/group", ApiKeyKind.Write, "/v1/group"),
        ("POST", "/v1/identify", ApiKeyKind.Write, "/v1/identify"),
        ("POST", "/v1/import", ApiKeyKind.Write, "/v1/import"),
        ("POST", "/v1/page", ApiKeyKind.Write, "/v1/page"),
        ("POST", "/v1/screen", ApiKeyKind.Write, "/v1/screen"),
        ("POST", "/v1/track", ApiKeyKind.Write, "/v1/track"),
        ("PUT", "/v1/admin/flags/{key}", ApiKeyKind.Admin, "/v1/admin/flags/some_key"),
        ("PUT", "/v1/admin/segments/{key}", ApiKeyKind.Admin, "/v1/admin/segments/some_key"),
        ("PUT", "/v1/admin/traits/{key}", ApiKeyKind.Admin, "/v1/admin/traits/some_key"),
    ];
}
