using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore.Tests;

/// <summary>
/// The API mounted in an application of its own (not the server): the engine on the in-memory store,
/// <c>AddTinyCdpApi</c>, <c>UseTinyCdpApi</c>, <c>MapTinyCdpApi</c>, next to a route of the application.
/// </summary>
public sealed class EmbeddingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddTinyCdp(b => b.UseInMemoryStore());
        builder.Services.AddTinyCdpApi();
        _app = builder.Build();
        _app.UseTinyCdpApi();
        _app.MapTinyCdpApi();
        _app.MapGet("/app", () => "the application's own route");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task MapTinyCdpApi_InAnApplication_TracksAndDecidesWithKeys()
    {
        var keys = _app.Services.GetRequiredService<IApiKeyService>();
        var admin = (await keys.CreateAsync(ApiKeyKind.Admin)).Secret;
        var write = (await keys.CreateAsync(ApiKeyKind.Write)).Secret;
        var read = (await keys.CreateAsync(ApiKeyKind.Read)).Secret;

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/v1/admin/traits", admin, """{"key":"purchases","expression":"events.purchase.count_30d"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/v1/admin/flags", admin, """{"key":"vip_lounge","rule":"trait(\"purchases\") >= 2"}""")).StatusCode);
        for (var i = 0; i < 2; i++)
        {
            var tracked = await SendAsync(HttpMethod.Post, "/v1/track", write, """{"event":"purchase","userId":"alice","properties":{"amount":120}}""");
            Assert.Equal(HttpStatusCode.OK, tracked.StatusCode);
            Assert.True((await JsonAsync(tracked)).GetProperty("success").GetBoolean());
        }

        var decided = await SendAsync(HttpMethod.Get, "/v1/decide?userId=alice&flag=vip_lounge", read);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var decision = await JsonAsync(decided);
        Assert.True(decision.GetProperty("allow").GetBoolean());
        Assert.Equal("alice", decision.GetProperty("userId").GetString());

        // The keys' tiers hold, and the application's own route is untouched.
        var anonymous = await SendAsync(HttpMethod.Get, "/v1/decide?userId=alice&flag=vip_lounge", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("unauthenticated", (await JsonAsync(anonymous)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/v1/track", read, """{"event":"purchase","userId":"alice"}""")).StatusCode);
        Assert.Equal("the application's own route", await _client.GetStringAsync(new Uri("/app", UriKind.Relative)));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
