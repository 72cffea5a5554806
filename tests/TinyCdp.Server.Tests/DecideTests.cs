using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Keys;
using TinyCdp.Language;

namespace TinyCdp.Server.Tests;

public sealed class DecideTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;

    public DecideTests(ServerFactory factory) => _factory = factory;

    private IDefinitionsService Definitions => _factory.Services.GetRequiredService<IDefinitionsService>();

    private ITinyCdp Cdp => _factory.Services.GetRequiredService<ITinyCdp>();

    private async Task<HttpClient> ReadClientAsync() => _factory.ClientWith(await _factory.CreateKeyAsync(ApiKeyKind.Read));

    private async Task DefineVipBetaAsync()
    {
        Assert.True((await Definitions.SaveTraitAsync(new TraitDefinition("frequent_buyer", "events.purchase.count_30d >= 3"))).Succeeded);
        Assert.True((await Definitions.SaveSegmentAsync(new SegmentDefinition("vip_users", "frequent_buyer == true"))).Succeeded);
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("beta", "segment(\"vip_users\")"))).Succeeded);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Decide_UserInSegment_SeedShape()
    {
        await DefineVipBetaAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Cdp.TrackAsync("vip-1", "purchase", Value.ParseJson("{\"amount\": 10}"))).Accepted);
        }

        var client = await ReadClientAsync();
        var response = await client.GetAsync("/v1/decide?userId=vip-1&flag=beta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.True(body.GetProperty("allow").GetBoolean());
        Assert.Equal("on", body.GetProperty("variant").GetString());
        Assert.True(body.GetProperty("value").GetBoolean());
        Assert.Equal("TARGETING_MATCH", body.GetProperty("reason").GetString());
        Assert.Equal(["segment(vip_users) = true", "final_result = true"], body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!));
        Assert.Equal("vip-1", body.GetProperty("userId").GetString());
        Assert.Equal("beta", body.GetProperty("flag").GetString());
        var validUntil = DateTimeOffset.Parse(body.GetProperty("validUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(validUntil, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));
        Assert.EndsWith("Z", body.GetProperty("validUntil").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_UnknownUser_IsAnEmptyProfile()
    {
        await DefineVipBetaAsync();
        var client = await ReadClientAsync();

        var response = await client.GetAsync("/v1/decide?userId=nobody-at-all&flag=beta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.False(body.GetProperty("allow").GetBoolean());
        Assert.Equal("off", body.GetProperty("variant").GetString());
        Assert.Equal("DEFAULT", body.GetProperty("reason").GetString());
        Assert.Equal("nobody-at-all", body.GetProperty("userId").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("validUntil").ValueKind);
    }

    [Fact]
    public async Task Decide_QueryParameters_AreContextAttributes()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("german", "context.country == \"DE\""))).Succeeded);
        var client = await ReadClientAsync();

        var german = await JsonAsync(await client.GetAsync("/v1/decide?userId=u-ctx&flag=german&country=DE"));
        var french = await JsonAsync(await client.GetAsync("/v1/decide?userId=u-ctx&flag=german&country=FR"));
        var none = await JsonAsync(await client.GetAsync("/v1/decide?userId=u-ctx&flag=german"));

        Assert.True(german.GetProperty("allow").GetBoolean());
        Assert.False(french.GetProperty("allow").GetBoolean());
        Assert.False(none.GetProperty("allow").GetBoolean());
    }

    [Fact]
    public async Task Decide_ByAnonymousIdOrDeviceId()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("always", "true"))).Succeeded);
        var client = await ReadClientAsync();

        var anonymous = await client.GetAsync("/v1/decide?anonymousId=anon-1&flag=always");
        var device = await client.GetAsync("/v1/decide?deviceId=device-1&flag=always");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.True((await JsonAsync(anonymous)).GetProperty("allow").GetBoolean());
        Assert.Equal("device-1", (await JsonAsync(device)).GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Decide_UnknownFlag_Is404WithSeedMessage()
    {
        var client = await ReadClientAsync();

        var response = await client.GetAsync("/v1/decide?userId=u1&flag=nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response);
        Assert.Equal("not_found", body.GetProperty("code").GetString());
        Assert.Equal("Flag 'nope' not found", body.GetProperty("message").GetString());
        Assert.Equal(404, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/v1/decide?flag=beta", "userId")]
    [InlineData("/v1/decide?userId=u1", "flag")]
    [InlineData("/v1/decide?profileId=not-a-uuid&flag=beta", "profileId")]
    public async Task Decide_MissingArguments_Are400(string path, string parameter)
    {
        var client = await ReadClientAsync();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("invalid_argument", body.GetProperty("code").GetString());
        Assert.Contains(parameter, body.GetProperty("message").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_SeveralFlags_AndAllFlags()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("multi_a", "true"))).Succeeded);
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("multi_b", "false"))).Succeeded);
        var client = await ReadClientAsync();

        var some = await client.GetAsync("/v1/decide?userId=u-multi&flags=multi_a,multi_b,missing");
        var all = await client.GetAsync("/v1/decide?userId=u-multi&flags=*");

        Assert.Equal(HttpStatusCode.OK, some.StatusCode);
        var body = await JsonAsync(some);
        Assert.Equal("u-multi", body.GetProperty("userId").GetString());
        var decisions = body.GetProperty("decisions");
        Assert.Equal(["multi_a", "multi_b"], decisions.EnumerateObject().Select(p => p.Name));
        var a = decisions.GetProperty("multi_a");
        Assert.True(a.GetProperty("allow").GetBoolean());
        Assert.Equal("on", a.GetProperty("variant").GetString());
        Assert.True(a.GetProperty("value").GetBoolean());
        Assert.Equal("TARGETING_MATCH", a.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Array, a.GetProperty("reasons").ValueKind);
        Assert.Equal(JsonValueKind.Null, a.GetProperty("validUntil").ValueKind);
        Assert.False(decisions.GetProperty("multi_b").GetProperty("allow").GetBoolean());

        var allDecisions = (await JsonAsync(all)).GetProperty("decisions");
        var names = allDecisions.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("multi_a", names);
        Assert.Contains("multi_b", names);
        Assert.Equal(Definitions.Catalog.Definitions.Flags.Count, names.Length);
    }

    [Fact]
    public async Task Decide_WithoutKey_Is401()
    {
        var response = await _factory.CreateClient().GetAsync("/v1/decide?userId=u1&flag=beta");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Decide_XApiKeyHeader_Works()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("header_flag", "true"))).Succeeded);
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", await _factory.CreateKeyAsync(ApiKeyKind.Read));

        var response = await client.GetAsync("/v1/decide?userId=u1&flag=header_flag");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
