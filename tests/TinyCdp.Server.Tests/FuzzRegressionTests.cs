using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TinyCdp.Server.Tests.Fuzzing;

namespace TinyCdp.Server.Tests;

/// <summary>
/// One fact per bug the fuzz tests found (docs/reliability.md "Fuzzing"), each named after the bug and
/// pinning the answer the server now gives.
/// </summary>
public sealed class FuzzRegressionTests : IClassFixture<FuzzServerFactory>
{
    private readonly FuzzServerFactory _factory;
    private readonly HttpClient _admin;

    public FuzzRegressionTests(FuzzServerFactory factory)
    {
        _factory = factory;
        _admin = factory.ClientWith(ServerFactory.AdminKey);
    }

    [Fact]
    public async Task Bug_AdminBodyWithInvalidUtf8_Was500()
    {
        var response = await PostAsync(_admin, "/v1/admin/keys", [.. "{\"kind\":\""u8, 0x80, .. "\"}"u8]);

        await AssertFieldErrorAsync(response, "body", "the request body is not valid UTF-8");
    }

    [Theory]
    [InlineData("/v1/admin/segments", """{"key":"surrogate_segment","rule":"\ud800"}""", "rule")]
    [InlineData("/v1/admin/traits", """{"key":"surrogate_trait","expression":"1","description":"a\udc00b"}""", "description")]
    [InlineData("/v1/admin/keys", """{"kind":"read","description":{"\ud800":1}}""", "description")]
    [InlineData("/v1/admin/flags", """{"key":"surrogate_flag","variants":{"on":"\ud83d","off":false},"defaultVariant":"off","rules":[]}""", "variants.on")]
    [InlineData("/v1/admin/validate", """{"expression":"\ud800 == 1"}""", "expression")]
    public async Task Bug_AdminBodyWithAnUnpairedSurrogateEscape_Was500(string path, string json, string field)
    {
        var response = await PostAsync(_admin, path, Encoding.UTF8.GetBytes(json));

        await AssertFieldErrorAsync(response, field, field == "description" && json.Contains('{', StringComparison.Ordinal) && path.EndsWith("keys", StringComparison.Ordinal)
            ? "description has a member name that contains invalid Unicode text"
            : $"{field} contains invalid Unicode text");
    }

    [Fact]
    public async Task Bug_OfrepContextWithAnUnpairedSurrogateEscape_Was500()
    {
        var response = await PostAsync(_admin, "/ofrep/v1/evaluate/flags", Encoding.UTF8.GetBytes("""{"context":{"targetingKey":"u","plan":"\ud8ac"}}"""));

        await AssertOfrepErrorAsync(response, "INVALID_CONTEXT", "context.plan contains invalid Unicode text");
    }

    [Fact]
    public async Task Bug_OfrepContextWithInvalidUtf8_Was500()
    {
        var response = await PostAsync(_admin, "/ofrep/v1/evaluate/flags/some_flag", [.. "{\"context\":{\"targetingKey\":\"u\",\"city\":\""u8, 0x80, .. "\"}}"u8]);

        await AssertOfrepErrorAsync(response, "PARSE_ERROR", "the request body is not valid UTF-8");
    }

    [Fact]
    public async Task Bug_WriteKeyWithInvalidUtf8_Was500()
    {
        var response = await PostAsync(_factory.CreateClient(), "/v1/alias", [.. "{\"writeKey\":\""u8, 0xF4, 0x90, 0x80, 0x80, .. "\",\"previousId\":\"a\",\"userId\":\"b\"}"u8]);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Valid API key required", (await JsonAsync(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/v1/identify")]
    [InlineData("/v1/admin/validate")]
    [InlineData("/ofrep/v1/evaluate/flags")]
    public async Task Bug_BodyOverTheLimitAnsweredKeepAlive_ThenTheConnectionDropped(string path)
    {
        // Refused unread, then Kestrel gave up draining it and closed the connection the client was
        // about to reuse: the next request failed with "response ended prematurely".
        var client = _factory.ClientWith(ServerFactory.AdminKey);
        var oversized = Encoding.UTF8.GetBytes("{\"userId\":\"u\",\"pad\":\"" + new string('p', 1_200 * 1024) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(oversized) };
        request.Headers.ExpectContinue = true;

        var refused = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.True(refused.Headers.ConnectionClose);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }
    }

    [Fact]
    public async Task Bug_OversizedChunkedBody_WasLoggedAsAnUnhandledError()
    {
        var logged = _factory.Logs.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('p', 700 * 1024) + "\"}"))),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(_factory.Logs.Since(logged), e => e.StartsWith("Error", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/v1/decide?flag=f", "userId", "userId is required (or anonymousId, deviceId, profileId)")]
    [InlineData("/v1/decide?profileId=not-a-uuid&flag=f", "profileId", "profileId must be a UUID")]
    [InlineData("/v1/decide?userId=u&flags=", "flag", "flag or flags is required")]
    public async Task Bug_DecideBadRequestsHadNoErrorsMember(string path, string field, string message)
    {
        await AssertFieldErrorAsync(await _admin.GetAsync(path), field, message);
    }

    [Fact]
    public async Task Bug_UnknownOpenApiDocumentWasAPlainText404()
    {
        var response = await _factory.CreateClient().GetAsync("/openapi/v2.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("OpenAPI document 'v2' not found", (await JsonAsync(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Bug_FlagWithAnUnknownBucketBy_WasReportedUnderRules()
    {
        var response = await PostAsync(_admin, "/v1/admin/flags", Encoding.UTF8.GetBytes("""{"key":"bucket_flag","rules":[],"bucketBy":"nobody"}"""));

        await AssertFieldErrorAsync(response, "bucketBy", "bucketBy must be userId, anonymousId, profileId or property");
    }

    [Fact]
    public async Task Bug_FlagSplitWeightBeyondTheDoubleRange_WasAGenericMalformedFlag()
    {
        var response = await PostAsync(_admin, "/v1/admin/flags", Encoding.UTF8.GetBytes(
            """{"key":"weight_flag","variants":{"on":true,"off":false},"defaultVariant":"off","rules":[{"when":"true","split":{"on":1e309,"off":1}}]}"""));

        await AssertFieldErrorAsync(response, "rules[0].split", "rules[0].split weights must be numbers");
    }

    [Fact]
    public async Task Bug_FlagRuleVariantNotAString_WasAGenericRuleError()
    {
        var response = await PostAsync(_admin, "/v1/admin/flags", Encoding.UTF8.GetBytes(
            """{"key":"variant_flag","variants":{"on":true,"off":false},"defaultVariant":"off","rules":[{"when":"true","variant":["a","b"]}]}"""));

        await AssertFieldErrorAsync(response, "rules[0].variant", "rules[0].variant must be a string");
    }

    [Fact]
    public async Task Bug_SeedFlagRuleError_NamedRules0WhenInsteadOfRule()
    {
        var response = await PostAsync(_admin, "/v1/admin/flags", Encoding.UTF8.GetBytes($$"""{"key":"long_rule_flag","rule":"{{new string('x', 10_001)}}"}"""));

        var problem = await AssertFieldErrorAsync(response, "rule", "Syntax error (line 1, column 10001): the expression is too long (10000 characters at most).");
        Assert.Equal("rule", problem.GetProperty("field").GetString());
        Assert.Equal(10_000, problem.GetProperty("span").GetProperty("start").GetInt32());
    }

    [Fact]
    public async Task AdminAndOfrepBodies_OverTheLimit_Are413Problems()
    {
        var body = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('p', 650 * 1024) + "\"}");
        foreach (var path in new[] { "/v1/admin/traits", "/v1/admin/keys", "/ofrep/v1/evaluate/flags" })
        {
            var response = await PostAsync(_admin, path, body);

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("resource_exhausted", (await JsonAsync(response)).GetProperty("code").GetString());
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = body.Length > FuzzRoutes.BodyLimit;
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<JsonElement> AssertFieldErrorAsync(HttpResponseMessage response, string field, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(message, problem.GetProperty("message").GetString());
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        Assert.Single(problem.GetProperty("errors").EnumerateObject());
        return problem;
    }

    private static async Task AssertOfrepErrorAsync(HttpResponseMessage response, string code, string details)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var error = await JsonAsync(response);
        Assert.Equal(code, error.GetProperty("errorCode").GetString());
        Assert.Equal(details, error.GetProperty("errorDetails").GetString());
    }
}
