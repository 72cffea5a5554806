using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Keys;
using TinyCdp.Language;

namespace TinyCdp.Server.Tests;

public sealed class OfrepTests : IClassFixture<ServerFactory>
{
    private static readonly Dictionary<string, Value> Colors = new() { ["red"] = Value.String("#f00"), ["blue"] = Value.String("#00f") };

    private readonly ServerFactory _factory;

    public OfrepTests(ServerFactory factory) => _factory = factory;

    private IDefinitionsService Definitions => _factory.Services.GetRequiredService<IDefinitionsService>();

    private ITinyCdp Cdp => _factory.Services.GetRequiredService<ITinyCdp>();

    /// <summary>A client sending a read key as <c>X-API-Key</c>, as OFREP providers do.</summary>
    private async Task<HttpClient> ClientAsync()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", await _factory.CreateKeyAsync(ApiKeyKind.Read));
        return client;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Evaluate_BooleanFlag()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("ofrep_bool", "true"))).Succeeded);
        var client = await ClientAsync();

        var response = await client.PostAsync("/ofrep/v1/evaluate/flags/ofrep_bool", Body("{\"context\": {\"targetingKey\": \"user-1\"}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("ofrep_bool", body.GetProperty("key").GetString());
        Assert.True(body.GetProperty("value").GetBoolean());
        Assert.Equal("TARGETING_MATCH", body.GetProperty("reason").GetString());
        Assert.Equal("on", body.GetProperty("variant").GetString());
        var metadata = body.GetProperty("metadata");
        Assert.Equal(Definitions.Catalog.Version, metadata.GetProperty("catalogVersion").GetInt64());
        Assert.Equal(0, metadata.GetProperty("ruleIndex").GetInt32());
    }

    [Fact]
    public async Task Evaluate_StringVariants_AndContextAttributes()
    {
        Assert.True((await Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "ofrep_theme",
            Variants = Colors,
            Rules = [new FlagRule("context.country == \"DE\" && context.plan.tier == \"pro\"") { Variant = "blue" }],
            DefaultVariant = "red",
        })).Succeeded);
        var client = await ClientAsync();

        var matched = await client.PostAsync("/ofrep/v1/evaluate/flags/ofrep_theme",
            Body("{\"context\": {\"targetingKey\": \"user-2\", \"country\": \"DE\", \"plan\": {\"tier\": \"pro\"}}}"));
        var other = await client.PostAsync("/ofrep/v1/evaluate/flags/ofrep_theme",
            Body("{\"context\": {\"targetingKey\": \"user-2\", \"country\": \"FR\"}}"));

        Assert.Equal(HttpStatusCode.OK, matched.StatusCode);
        var blue = await JsonAsync(matched);
        Assert.Equal(("#00f", "blue", "TARGETING_MATCH"), (blue.GetProperty("value").GetString(), blue.GetProperty("variant").GetString(), blue.GetProperty("reason").GetString()));
        var red = await JsonAsync(other);
        Assert.Equal(("#f00", "red", "DEFAULT"), (red.GetProperty("value").GetString(), red.GetProperty("variant").GetString(), red.GetProperty("reason").GetString()));
        Assert.False(red.GetProperty("metadata").TryGetProperty("ruleIndex", out _));
    }

    [Theory]
    [InlineData("{\"context\": {\"country\": \"DE\"}}", "TARGETING_KEY_MISSING")]
    [InlineData("{\"context\": {\"targetingKey\": \"\"}}", "TARGETING_KEY_MISSING")]
    [InlineData("{}", "TARGETING_KEY_MISSING")]
    [InlineData("{\"context\": [1, 2]}", "INVALID_CONTEXT")]
    [InlineData("{\"context\": {\"targetingKey\": 42}}", "INVALID_CONTEXT")]
    [InlineData("{not json", "PARSE_ERROR")]
    [InlineData("", "PARSE_ERROR")]
    public async Task Evaluate_BadRequests_Are400WithOfrepErrorCodes(string json, string code)
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("ofrep_bad", "true"))).Succeeded);
        var client = await ClientAsync();

        var response = await client.PostAsync("/ofrep/v1/evaluate/flags/ofrep_bad", Body(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("ofrep_bad", body.GetProperty("key").GetString());
        Assert.Equal(code, body.GetProperty("errorCode").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("errorDetails").GetString()));
    }

    [Fact]
    public async Task Evaluate_UnknownFlag_Is404FlagNotFound()
    {
        var client = await ClientAsync();

        var response = await client.PostAsync("/ofrep/v1/evaluate/flags/nope", Body("{\"context\": {\"targetingKey\": \"user-1\"}}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("nope", body.GetProperty("key").GetString());
        Assert.Equal("FLAG_NOT_FOUND", body.GetProperty("errorCode").GetString());
        Assert.Equal("Flag 'nope' not found", body.GetProperty("errorDetails").GetString());
    }

    [Fact]
    public async Task Bulk_EvaluatesAllFlags_WithETagRoundTrip()
    {
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("ofrep_buyer", "events.purchase.count_30d >= 1"))).Succeeded);
        Assert.True((await Definitions.SaveFlagAsync(new FlagDefinition { Key = "ofrep_color", Variants = Colors, DefaultVariant = "blue" })).Succeeded);
        var client = await ClientAsync();
        const string request = "{\"context\": {\"targetingKey\": \"bulk-user\"}}";

        var first = await client.PostAsync("/ofrep/v1/evaluate/flags", Body(request));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        var flags = (await JsonAsync(first)).GetProperty("flags").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!);
        Assert.Equal(Definitions.Catalog.Definitions.Flags.Count, flags.Count);
        Assert.False(flags["ofrep_buyer"].GetProperty("value").GetBoolean());
        Assert.Equal("off", flags["ofrep_buyer"].GetProperty("variant").GetString());
        Assert.Equal("#00f", flags["ofrep_color"].GetProperty("value").GetString());
        Assert.Equal("DEFAULT", flags["ofrep_color"].GetProperty("reason").GetString());

        using var again = new HttpRequestMessage(HttpMethod.Post, "/ofrep/v1/evaluate/flags") { Content = Body(request) };
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        Assert.True((await Cdp.TrackAsync("bulk-user", "purchase")).Accepted);
        using var afterEvent = new HttpRequestMessage(HttpMethod.Post, "/ofrep/v1/evaluate/flags") { Content = Body(request) };
        afterEvent.Headers.IfNoneMatch.Add(etag);
        var changed = await client.SendAsync(afterEvent);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotNull(changed.Headers.ETag);
        Assert.NotEqual(etag.Tag, changed.Headers.ETag!.Tag);
        var buyer = (await JsonAsync(changed)).GetProperty("flags").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "ofrep_buyer");
        Assert.True(buyer.GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task Bulk_ForAProfileInMemory_AnswersWhatTheEngineDecides()
    {
        // A hot profile is answered from its published snapshot without reasons (TryDecide): the
        // answer must be the engine's full decision, flag by flag.
        Assert.True((await Definitions.SaveFlagAsync(FlagDefinition.FromRule("ofrep_hot_buyer", "events.purchase.count_30d >= 2"))).Succeeded);
        Assert.True((await Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "ofrep_hot_split",
            Rules = [new FlagRule("context.plan == \"pro\"") { Split = [new("on", 50), new("off", 50)] }],
        })).Succeeded);
        Assert.True((await Definitions.SaveFlagAsync(new FlagDefinition { Key = "ofrep_hot_color", Variants = Colors, DefaultVariant = "red" })).Succeeded);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Cdp.TrackAsync("hot-bulk-user", "purchase")).Accepted);
        }

        var client = await ClientAsync();
        var response = await client.PostAsync("/ofrep/v1/evaluate/flags", Body("{\"context\": {\"targetingKey\": \"hot-bulk-user\", \"plan\": \"pro\"}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var flags = (await JsonAsync(response)).GetProperty("flags").EnumerateArray().ToList();
        var expected = await Cdp.DecideAllAsync(Evaluation.ProfileReference.Any("hot-bulk-user"), null,
            new Dictionary<string, Value> { ["plan"] = Value.String("pro") });
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), flags.Select(f => f.GetProperty("key").GetString()!));
        foreach (var flag in flags)
        {
            var decision = expected[flag.GetProperty("key").GetString()!];
            Assert.Equal(decision.Variant, flag.GetProperty("variant").GetString());
            Assert.Equal(decision.Value.ToJson(), flag.GetProperty("value").GetRawText());
            Assert.Equal(decision.ReasonText, flag.GetProperty("reason").GetString());
            var metadata = flag.GetProperty("metadata");
            Assert.Equal(decision.CatalogVersion, metadata.GetProperty("catalogVersion").GetInt64());
            Assert.Equal(decision.RuleIndex, metadata.TryGetProperty("ruleIndex", out var rule) ? rule.GetInt32() : null);
        }

        Assert.True(flags.Single(f => f.GetProperty("key").GetString() == "ofrep_hot_buyer").GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task Bulk_WithoutTargetingKey_Is400()
    {
        var client = await ClientAsync();

        var response = await client.PostAsync("/ofrep/v1/evaluate/flags", Body("{\"context\": {}}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("TARGETING_KEY_MISSING", (await JsonAsync(response)).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Configuration_DescribesCapabilities()
    {
        var client = await ClientAsync();

        var response = await client.GetAsync("/ofrep/v1/configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("TinyCdp", body.GetProperty("name").GetString());
        var polling = body.GetProperty("capabilities").GetProperty("cacheInvalidation").GetProperty("polling");
        Assert.True(polling.GetProperty("enabled").GetBoolean());
        Assert.Equal(1000, polling.GetProperty("minPollingIntervalMs").GetInt32());
        Assert.Equal(["boolean", "string", "integer", "float", "object"],
            body.GetProperty("capabilities").GetProperty("flagEvaluation").GetProperty("supportedTypes").EnumerateArray().Select(t => t.GetString()!));
    }

    [Theory]
    [InlineData("/ofrep/v1/configuration", "GET")]
    [InlineData("/ofrep/v1/evaluate/flags", "POST")]
    [InlineData("/ofrep/v1/evaluate/flags/ofrep_bool", "POST")]
    public async Task WithoutKey_Is401(string path, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Body("{\"context\": {\"targetingKey\": \"user-1\"}}");
        }

        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task BearerReadKey_Works()
    {
        var client = _factory.ClientWith(await _factory.CreateKeyAsync(ApiKeyKind.Read));

        var response = await client.GetAsync("/ofrep/v1/configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownKey_Is401()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", "not-a-real-key");

        var response = await client.GetAsync("/ofrep/v1/configuration");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/ofrep/v1/evaluate/flags", "POST")]
    [InlineData("/v1/decide?userId=u1&flag=x", "GET")]
    public async Task Preflight_AllowsBrowserClients(string path, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type,if-none-match");

        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Bulk_ExposesETagToBrowsers()
    {
        var client = await ClientAsync();
        client.DefaultRequestHeaders.Add("Origin", "https://app.example");

        var response = await client.PostAsync("/ofrep/v1/evaluate/flags", Body("{\"context\": {\"targetingKey\": \"cors-user\"}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ETag", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }
}
