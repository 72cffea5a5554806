using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Language;

namespace TinyCdp.Server.Tests;

public sealed class AdminSearchTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;

    public AdminSearchTests(ServerFactory factory) => _factory = factory;

    [Fact]
    public async Task Search_ByPrefixAndByEmail_ReturnsMatchingUsers()
    {
        var cdp = _factory.Services.GetRequiredService<ITinyCdp>();
        await cdp.IdentifyAsync("search-alice", Value.ParseJson("{\"email\": \"Search.Alice@Example.com\"}"));
        await cdp.IdentifyAsync("search-alina");
        await cdp.IdentifyAsync("search-bob");
        var client = _factory.ClientWith(ServerFactory.AdminKey);

        var byPrefix = await client.GetFromJsonAsync<JsonElement>("/v1/admin/users/search?query=search-ali&limit=10");
        var byEmail = await client.GetFromJsonAsync<JsonElement>("/v1/admin/users/search?query=search.alice@example.com");
        var badLimit = await client.GetAsync("/v1/admin/users/search?query=x&limit=zero");

        Assert.Equal(2, byPrefix.GetProperty("total").GetInt32());
        Assert.Equal(1, byEmail.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }
}
