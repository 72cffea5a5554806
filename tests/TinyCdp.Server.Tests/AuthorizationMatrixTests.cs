using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Keys;

namespace TinyCdp.Server.Tests;

/// <summary>
/// Every route × {no key, unknown key, revoked key, read, write, admin} → the expected status. The
/// table is checked against the server's own endpoint list first, so a new route that is not in the
/// table fails the test instead of going unchecked.
/// </summary>
public sealed class AuthorizationMatrixTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;

    public AuthorizationMatrixTests(ServerFactory factory) => _factory = factory;

    /// <summary>(method, route pattern, tier needed or null for anonymous, a concrete path to call).</summary>
    public static readonly (string Method, string Pattern, ApiKeyKind? Tier, string Path)[] Routes = RouteTable.All;

    [Fact]
    public void Table_CoversEveryMappedRoute()
    {
        var mapped = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Where(r => !r.StartsWith("OPTIONS ", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(mapped, Routes.Select(r => $"{r.Method} {r.Pattern}").Order(StringComparer.Ordinal).ToList());
    }

    public static IEnumerable<object[]> Cases() =>
        from route in Routes
        from caller in new[] { "none", "unknown", "revoked", "read", "write", "admin" }
        select new object[] { route.Method, route.Path, route.Tier?.ToString() ?? "anonymous", caller };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Route_Caller_GetsTheExpectedStatus(string method, string path, string tier, string caller)
    {
        var key = await KeyFor(caller);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var response = await _factory.CreateClient().SendAsync(request);
        var status = (int)response.StatusCode;

        if (tier == "anonymous")
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            return;
        }

        var required = Enum.Parse<ApiKeyKind>(tier);
        var expected = caller switch
        {
            "none" or "unknown" or "revoked" => 401,
            _ when Enum.Parse<ApiKeyKind>(caller, ignoreCase: true) < required => 403,
            _ => 0,
        };
        if (expected == 0)
        {
            Assert.True(status is not (401 or 403), $"{method} {path} as {caller}: {status}");
            Assert.True(status < 500, $"{method} {path} as {caller}: {status}");
        }
        else
        {
            Assert.Equal(expected, status);
        }
    }

    private static readonly SemaphoreSlim KeysLock = new(1, 1);
    private static Dictionary<string, string>? s_keys;

    private async Task<string?> KeyFor(string caller)
    {
        if (caller == "none")
        {
            return null;
        }

        if (caller == "unknown")
        {
            return "tcdp_this-key-does-not-exist-anywhere";
        }

        await KeysLock.WaitAsync();
        try
        {
            if (s_keys is null)
            {
                var keys = _factory.Services.GetRequiredService<IApiKeyService>();
                var revoked = await keys.CreateAsync(ApiKeyKind.Admin);
                await keys.RevokeAsync(revoked.Info.Id);
                s_keys = new Dictionary<string, string>
                {
                    ["revoked"] = revoked.Secret,
                    ["read"] = (await keys.CreateAsync(ApiKeyKind.Read)).Secret,
                    ["write"] = (await keys.CreateAsync(ApiKeyKind.Write)).Secret,
                    ["admin"] = ServerFactory.AdminKey,
                };
            }

            return s_keys[caller];
        }
        finally
        {
            KeysLock.Release();
        }
    }
}
