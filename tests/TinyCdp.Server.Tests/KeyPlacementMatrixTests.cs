using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.Keys;

namespace TinyCdp.Server.Tests;

/// <summary>
/// Every route of <see cref="RouteTable"/> × every place a key can be sent × {unknown, revoked, read,
/// write, admin} → the exact answer documented in docs/http-api.md "Keys": a key is read from
/// <c>Authorization: Bearer</c>, <c>Authorization: Basic base64(key:)</c> and <c>X-API-Key</c> on every
/// route, and from <c>?apiKey=</c> and a body <c>writeKey</c> only on ingest routes (elsewhere those are
/// ignored, so the request has no key). No usable key, an unknown or a revoked one: 401
/// <c>Valid API key required</c>; a key below the route's tier: 403 <c>&lt;tier&gt; permission required</c>.
/// </summary>
public sealed class KeyPlacementMatrixTests : IClassFixture<ServerFactory>
{
    private static readonly SemaphoreSlim KeysLock = new(1, 1);
    private static Dictionary<string, string>? s_keys;
    private readonly ServerFactory _factory;

    public KeyPlacementMatrixTests(ServerFactory factory) => _factory = factory;

    public enum Placement
    {
        Bearer,
        Basic,
        XApiKey,
        QueryApiKey,
        BodyWriteKey,
    }

    public static IEnumerable<object[]> Cases() =>
        from route in RouteTable.All
        from placement in Enum.GetValues<Placement>()
        where placement != Placement.BodyWriteKey || route.Method is "POST" or "PUT"
        from caller in new[] { "unknown", "revoked", "read", "write", "admin" }
        select new object[] { route.Method, route.Pattern, route.Path, route.Tier?.ToString() ?? "anonymous", placement, caller };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Route_KeyInPlace_GetsTheDocumentedAnswer(string method, string pattern, string path, string tier, Placement placement, string caller)
    {
        var key = await KeyForAsync(caller);
        using var request = Request(method, path, key, placement);

        var response = await _factory.CreateClient().SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var what = $"{method} {path} with a {caller} key as {placement}: {status} {text}";

        if (tier == "anonymous")
        {
            Assert.True(status is not (401 or 403) && status < 500, what);
            return;
        }

        var required = Enum.Parse<ApiKeyKind>(tier);
        var accepted = placement is Placement.Bearer or Placement.Basic or Placement.XApiKey || IsIngest(method, pattern);
        if (!accepted || caller is "unknown" or "revoked")
        {
            AssertProblem(401, "unauthenticated", "Valid API key required", status, text, what);
        }
        else if (Enum.Parse<ApiKeyKind>(caller, ignoreCase: true) < required)
        {
            AssertProblem(403, "permission_denied", $"{Tiers.Name(required)} permission required", status, text, what);
        }
        else
        {
            Assert.True(status is not (401 or 403) && status < 500, what);
        }
    }

    [Fact]
    public void QueryAndBodyKeys_AreAcceptedExactlyOnTheWriteTierRoutes()
    {
        var ingest = RouteTable.All.Where(r => IsIngest(r.Method, r.Pattern)).Select(r => r.Pattern).Order(StringComparer.Ordinal);
        var write = RouteTable.All.Where(r => r.Tier == ApiKeyKind.Write).Select(r => r.Pattern).Order(StringComparer.Ordinal);

        Assert.Equal(write, ingest);
        Assert.Equal(8, ingest.Count());
    }

    [Theory]
    [InlineData("Bearer", "unknown", "write", 401)] // the first place holding a key decides: a bad header key is not rescued
    [InlineData("Bearer", "read", "write", 403)]
    [InlineData("XApiKey", "unknown", "write", 401)]
    [InlineData("Bearer", "write", "unknown", 200)]
    public async Task HeaderKey_TakesPrecedenceOverQueryAndBodyKeys(string header, string headerCaller, string laterCaller, int expected)
    {
        var headerKey = await KeyForAsync(headerCaller);
        var laterKey = await KeyForAsync(laterCaller);
        using var request = Request("POST", "/v1/track?apiKey=" + Uri.EscapeDataString(laterKey), headerKey, Enum.Parse<Placement>(header),
            $$"""{"writeKey":"{{laterKey}}","event":"precedence","userId":"precedence-user"}""");

        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("Basic", "{0}:", 200)]
    [InlineData("Basic", "{0}:any-password", 200)]
    [InlineData("Basic", "{0}", 200)]
    [InlineData("basic", "{0}:", 200)]
    [InlineData("Basic", ":{0}", 401)] // the key is the user name, not the password
    [InlineData("Basic", "not base64 at all", 401)]
    [InlineData("bearer", "{0}", 200)]
    [InlineData("Bearer", "", 401)]
    [InlineData("Token", "{0}", 401)]
    public async Task AuthorizationHeader_Variants(string scheme, string format, int expected)
    {
        var key = await KeyForAsync("read");
        var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, key);
        if (scheme.Equals("basic", StringComparison.OrdinalIgnoreCase) && !format.StartsWith("not", StringComparison.Ordinal))
        {
            value = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/flags");
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {value}");

        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
    }

    private static void AssertProblem(int expectedStatus, string code, string message, int status, string text, string what)
    {
        Assert.True(status == expectedStatus, what);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(expectedStatus, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(message, problem.RootElement.GetProperty("message").GetString());
    }

    private bool IsIngest(string method, string pattern) =>
        _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == pattern && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? false))
            .Metadata.GetMetadata<BodyKeyMetadata>() is not null;

    private static HttpRequestMessage Request(string method, string path, string key, Placement placement, string? body = null)
    {
        if (placement == Placement.QueryApiKey)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "apiKey=" + Uri.EscapeDataString(key);
        }

        var request = new HttpRequestMessage(new HttpMethod(method), path);
        switch (placement)
        {
            case Placement.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                break;
            case Placement.Basic:
                request.Headers.Authorization = IngestTestHelpers.Basic(key);
                break;
            case Placement.XApiKey:
                request.Headers.Add("X-API-Key", key);
                break;
        }

        if (body is not null || method is "POST" or "PUT")
        {
            body ??= placement == Placement.BodyWriteKey ? JsonSerializer.Serialize(new { writeKey = key }) : "{}";
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private async Task<string> KeyForAsync(string caller)
    {
        if (caller == "unknown")
        {
            return "tcdp_this-key-does-not-exist-anywhere";
        }

        await KeysLock.WaitAsync();
        try
        {
            if (s_keys is null)
            {
                var admin = _factory.ClientWith(ServerFactory.AdminKey);
                var keys = new Dictionary<string, string>(StringComparer.Ordinal) { ["admin"] = ServerFactory.AdminKey };
                foreach (var kind in new[] { "read", "write", "revoked" })
                {
                    var created = await admin.PostAsync("/v1/admin/keys", new StringContent($$"""{"kind":"{{(kind == "revoked" ? "admin" : kind)}}"}""", Encoding.UTF8, "application/json"));
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    using var answer = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
                    keys[kind] = answer.RootElement.GetProperty("key").GetString()!;
                    if (kind == "revoked")
                    {
                        // Revoked through the route, and used at once.
                        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/keys/{answer.RootElement.GetProperty("id").GetString()}")).StatusCode);
                    }
                }

                s_keys = keys;
            }

            return s_keys[caller];
        }
        finally
        {
            KeysLock.Release();
        }
    }
}
