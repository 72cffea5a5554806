using System.Net;
using System.Net.Http.Json;

namespace TinyCdp.Server.Tests;

public sealed class HealthTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;

    public HealthTests(ServerFactory factory) => _factory = factory;

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/ingest/health")]
    [InlineData("/decide/health")]
    public async Task Health_AnswersWithoutAKey(string path)
    {
        var response = await _factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        var document = await _factory.CreateClient().GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");

        Assert.Equal("3.1.1", document.GetProperty("openapi").GetString());
    }
}
