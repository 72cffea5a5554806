using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace TinyCdp.Server.Tests;

public sealed class RateLimitTests : IClassFixture<RateLimitTests.LimitedServerFactory>
{
    private readonly LimitedServerFactory _factory;

    public RateLimitTests(LimitedServerFactory factory) => _factory = factory;

    [Fact]
    public async Task RequestsOverTheLimit_Get429WithRetryAfterAndAProblem()
    {
        var client = _factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }

        var rejected = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.True(int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        var problem = await rejected.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("resource_exhausted", problem.GetProperty("code").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task RequestsWithAKey_AreLimitedPerKey_With429AndRetryAfter()
    {
        var first = _factory.ClientWith(await _factory.CreateKeyAsync(Keys.ApiKeyKind.Read));
        var second = _factory.ClientWith(await _factory.CreateKeyAsync(Keys.ApiKeyKind.Read));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/admin/flags")).StatusCode);
        }

        var rejected = await first.GetAsync("/v1/admin/flags");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.True(int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal("rate limit exceeded; retry later", (await rejected.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/v1/admin/flags")).StatusCode);
    }

    public sealed class LimitedServerFactory : IDisposable
    {
        private readonly Factory _inner = new();

        public HttpClient CreateClient() => _inner.CreateClient();

        public HttpClient ClientWith(string key) => _inner.ClientWith(key);

        public Task<string> CreateKeyAsync(Keys.ApiKeyKind kind) => _inner.CreateKeyAsync(kind);

        public void Dispose() => _inner.Dispose();

        private sealed class Factory : ServerFactoryBase
        {
            protected override void ConfigureWebHost(IWebHostBuilder builder)
            {
                base.ConfigureWebHost(builder);
                builder.UseSetting("TINYCDP_RATE_LIMIT_PER_MINUTE", "3");
            }
        }
    }
}
