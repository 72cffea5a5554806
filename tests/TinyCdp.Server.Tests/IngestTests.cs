using System.Net;
using System.Text;
using System.Text.Json;
using TinyCdp.Evaluation;
using TinyCdp.Keys;
using static TinyCdp.Server.Tests.IngestTestHelpers;

namespace TinyCdp.Server.Tests;

public sealed class IngestTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;

    public IngestTests(ServerFactory factory) => _factory = factory;

    private HttpClient Admin => _factory.ClientWith(ServerFactory.AdminKey);

    // ---- happy paths and seed shapes ----

    [Fact]
    public async Task Track_SeedBody_AnswersSeedShapeAndStores()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);

        var response = await _factory.ClientWith(writeKey).PostAsync("/v1/track",
            $$"""{"event":"{{name}}","userId":"{{user}}","deviceId":"d-{{user}}","props":{"plan":"pro"},"ts":"{{Iso(DateTimeOffset.UtcNow)}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("eventId").GetString()));
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        Assert.False(body.TryGetProperty("suppressed", out _));
        Assert.Equal(1, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Track_SameMessageIdTwice_SecondIsDuplicateAndNotStored()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);
        var json = $$"""{"event":"{{name}}","userId":"{{user}}","messageId":"{{Unique("m")}}"}""";

        var first = await (await Admin.PostAsync("/v1/track", json)).JsonAsync();
        var second = await Admin.PostAsync("/v1/track", json);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await second.JsonAsync();
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("eventId").GetString(), body.GetProperty("eventId").GetString());
        Assert.Equal(1, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Track_SuppressedUser_AnswersSuppressedAndStoresNothing()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsync("/v1/identify", $$"""{"userId":"{{user}}"}""")).StatusCode);
        Assert.True(await _factory.Cdp().DeleteProfileAsync(ProfileReference.ByUserId(user), suppressIdentifiers: true));

        var response = await Admin.PostAsync("/v1/track", $$"""{"event":"{{name}}","userId":"{{user}}"}""");
        var identify = await Admin.PostAsync("/v1/identify", $$"""{"userId":"{{user}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.True(body.GetProperty("suppressed").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, identify.StatusCode);
        Assert.True((await identify.JsonAsync()).GetProperty("suppressed").GetBoolean());
        Assert.False(await _factory.ProfileExistsAsync(user));
        Assert.Equal(0, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Identify_AnswersProfileId()
    {
        var user = Unique("u");

        var response = await Admin.PostAsync("/v1/identify", $$$"""{"userId":"{{{user}}}","anonymousId":"a-{{{user}}}","traits":{"email":"x@example.com"}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        var profileId = Guid.Parse(body.GetProperty("userId").GetString()!);
        var profile = await _factory.Cdp().GetProfileAsync(ProfileReference.ByUserId(user));
        Assert.NotNull(profile);
        Assert.NotNull(await _factory.Cdp().GetProfileAsync(ProfileReference.ByProfileId(profileId)));
    }

    [Theory]
    [InlineData("/v1/alias", """{"previousId":"anon-USER","userId":"USER"}""")]
    [InlineData("/v1/page", """{"anonymousId":"USER","name":"Home","category":"Docs","properties":{"url":"https://example.com/"}}""")]
    [InlineData("/v1/screen", """{"userId":"USER","name":"Settings","properties":{"tab":"a"}}""")]
    [InlineData("/v1/group", """{"userId":"USER","groupId":"acme","traits":{"name":"Acme"}}""")]
    public async Task SegmentShapes_AnswerSuccess(string path, string template)
    {
        var response = await Admin.PostAsync(path, template.Replace("USER", Unique("u"), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.False(body.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task Track_TextPlainBody_IsAccepted()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);

        var response = await Admin.PostAsync("/v1/track", $$"""{"event":"{{name}}","userId":"{{user}}"}""", "text/plain");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Track_NoContentType_IsAccepted()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"event":"e","userId":"{{Unique("u")}}"}"""));

        var response = await Admin.PostAsync(new Uri("/v1/track", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- Segment compatibility ----

    private static string AnalyticsNodeBatch(string writeKey, string user, string name, string messagePrefix, DateTimeOffset deviceNow, DateTimeOffset? eventTime = null)
    {
        var timestamp = Iso(eventTime ?? deviceNow);
        return $$"""
        {
          "batch": [
            {
              "userId": "{{user}}",
              "traits": { "name": "Peter Gibbons", "plan": "premium" },
              "type": "identify",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "jsRuntime": "node" },
              "timestamp": "{{timestamp}}",
              "integrations": {},
              "messageId": "node-next-{{messagePrefix}}-1"
            },
            {
              "userId": "{{user}}",
              "event": "{{name}}",
              "properties": { "revenue": 19.99, "currency": "USD" },
              "type": "track",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "jsRuntime": "node" },
              "timestamp": "{{timestamp}}",
              "integrations": {},
              "messageId": "node-next-{{messagePrefix}}-2"
            },
            {
              "anonymousId": "anon-{{user}}",
              "userId": "{{user}}",
              "event": "{{name}}",
              "properties": {},
              "type": "track",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "jsRuntime": "node" },
              "timestamp": "{{timestamp}}",
              "integrations": {},
              "messageId": "node-next-{{messagePrefix}}-3"
            }
          ],
          "writeKey": "{{writeKey}}",
          "sentAt": "{{Iso(deviceNow)}}"
        }
        """;
    }

    [Fact]
    public async Task Batch_AsAnalyticsNodeSendsIt_IsAcceptedAndResendIsAllDuplicates()
    {
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);
        var name = Unique("order_completed");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);
        var json = AnalyticsNodeBatch(writeKey, user, name, Unique("m"), DateTimeOffset.UtcNow);
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = Basic(writeKey);

        var first = await client.PostAsync("/v1/batch", json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.JsonAsync();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, await _factory.NumberAsync(trait, user));

        var again = await client.PostAsync("/v1/batch", json);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        body = await again.JsonAsync();
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.Equal(3, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Import_IsTheSameAsBatch()
    {
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name);

        var response = await _factory.CreateClient().PostAsync("/v1/import", AnalyticsNodeBatch(writeKey, user, name, Unique("m"), DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        Assert.Equal(2, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Batch_DeviceClockAnHourAhead_EventTimeIsNow()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name, "last_seen_minutes_ago");
        var deviceNow = DateTimeOffset.UtcNow.AddHours(1);

        var response = await Admin.PostAsync("/v1/batch", AnalyticsNodeBatch("", user, name, Unique("m"), deviceNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await _factory.NumberAsync(trait, user));
    }

    [Fact]
    public async Task Batch_DeviceClockAnHourAhead_SkewIsRemovedNotJustClamped()
    {
        var name = Unique("ev");
        var user = Unique("u");
        var trait = await _factory.DefineTraitAsync(name, "last_seen_minutes_ago");
        var deviceNow = DateTimeOffset.UtcNow.AddHours(1);

        // Happened 30 minutes ago by the device's clock: without the correction it would look 30 minutes in the future.
        var response = await Admin.PostAsync("/v1/batch", AnalyticsNodeBatch("", user, name, Unique("m"), deviceNow, deviceNow.AddMinutes(-30)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(await _factory.NumberAsync(trait, user), 29, 30);
    }

    // ---- keys ----

    [Fact]
    public async Task WriteKeyInBodyOnly_IsAccepted()
    {
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);

        var response = await _factory.CreateClient().PostAsync("/v1/track", $$"""{"writeKey":"{{writeKey}}","event":"e","userId":"{{Unique("u")}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiKeyInQuery_IsAccepted()
    {
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);

        var response = await _factory.CreateClient().PostAsync($"/v1/track?apiKey={Uri.EscapeDataString(writeKey)}", $$"""{"event":"e","userId":"{{Unique("u")}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadKey_IsForbidden()
    {
        var readKey = await _factory.CreateKeyAsync(ApiKeyKind.Read);
        var user = Unique("u");

        var response = await _factory.ClientWith(readKey).PostAsync("/v1/track", $$"""{"event":"e","userId":"{{user}}"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("permission_denied", body.GetProperty("code").GetString());
        Assert.Equal("write permission required", body.GetProperty("message").GetString());
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    [Fact]
    public async Task NoKey_IsUnauthenticated()
    {
        var response = await _factory.CreateClient().PostAsync("/v1/track", """{"event":"e","userId":"u"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("unauthenticated", body.GetProperty("code").GetString());
        Assert.Equal("Valid API key required", body.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("body")]
    [InlineData("query")]
    public async Task UnknownKey_IsUnauthenticated(string where)
    {
        var client = where == "bearer" ? _factory.ClientWith("not-a-key") : _factory.CreateClient();
        var path = where == "query" ? "/v1/track?apiKey=not-a-key" : "/v1/track";
        var writeKey = where == "body" ? "\"writeKey\":\"not-a-key\"," : "";

        var response = await client.PostAsync(path, $$"""{{{writeKey}}"event":"e","userId":"u"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Valid API key required", (await response.JsonAsync()).GetProperty("message").GetString());
    }

    // ---- bad input ----

    [Theory]
    [InlineData("""{"event":"e","userId":"USER""", "body")]
    [InlineData("""{"event":5,"userId":"USER"}""", "event")]
    [InlineData("""{"event":"e","userId":"USER","properties":[1]}""", "properties")]
    [InlineData("""{"event":"e","userId":"USER","timestamp":"yesterday"}""", "timestamp")]
    [InlineData("""{"event":"$reserved","userId":"USER"}""", "event")]
    public async Task Track_BadInput_Is400NamingTheFieldAndStoresNothing(string template, string field)
    {
        var user = Unique("u");

        var response = await Admin.PostAsync("/v1/track", template.Replace("USER", user, StringComparison.Ordinal));

        await AssertInvalidAsync(response, field);
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    [Fact]
    public async Task Track_EventNameOf201Characters_Is400()
    {
        var user = Unique("u");

        var response = await Admin.PostAsync("/v1/track", $$"""{"event":"{{new string('a', 201)}}","userId":"{{user}}"}""");

        await AssertInvalidAsync(response, "event");
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    [Fact]
    public async Task Track_EventNameOf200Characters_IsAccepted()
    {
        var response = await Admin.PostAsync("/v1/track", $$"""{"event":"{{new string('a', 200)}}","userId":"{{Unique("u")}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Track_WithoutAnyIdentifier_Is400()
    {
        var response = await Admin.PostAsync("/v1/track", """{"event":"e","properties":{}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("invalid_argument", body.GetProperty("code").GetString());
        Assert.Single(body.GetProperty("errors").EnumerateObject());
    }

    [Theory]
    [InlineData("/v1/track")]
    [InlineData("/v1/batch")]
    public async Task EmptyBody_Is400(string path)
    {
        var response = await Admin.PostAsync(path, "");

        await AssertInvalidAsync(response, "body");
    }

    [Fact]
    public async Task Batch_WithAnInvalidItem_Is400NamingItAndStoresNothing()
    {
        var good = Unique("u");
        var json = $$"""{"batch":[{"type":"track","event":"e","userId":"{{good}}"},{"type":"identify","userId":"{{good}}"},{"type":"track","event":7,"userId":"{{good}}"}]}""";

        var response = await Admin.PostAsync("/v1/batch", json);

        var body = await AssertInvalidAsync(response, "batch[2].event");
        Assert.StartsWith("batch[2]", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(await _factory.ProfileExistsAsync(good));
    }

    [Fact]
    public async Task Batch_NotAnArray_Is400()
    {
        await AssertInvalidAsync(await Admin.PostAsync("/v1/batch", """{"batch":{}}"""), "batch");
    }

    [Fact]
    public async Task Track_BodyOver600KB_Is413()
    {
        var user = Unique("u");
        var json = $$$"""{"event":"e","userId":"{{{user}}}","properties":{"blob":"{{{new string('x', 700 * 1024)}}}"}}""";

        var response = await Admin.PostAsync("/v1/track", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("resource_exhausted", (await response.JsonAsync()).GetProperty("code").GetString());
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    [Fact]
    public async Task Track_MessageOver32KB_Is413()
    {
        var user = Unique("u");
        var json = $$$"""{"event":"e","userId":"{{{user}}}","properties":{"blob":"{{{new string('x', 40 * 1024)}}}"}}""";

        var response = await Admin.PostAsync("/v1/track", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("resource_exhausted", (await response.JsonAsync()).GetProperty("code").GetString());
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    [Fact]
    public async Task Batch_Over500KB_Is413()
    {
        var user = Unique("u");
        var item = $$$"""{"type":"track","event":"e","userId":"{{{user}}}","properties":{"blob":"{{{new string('x', 20 * 1024)}}}"}}""";
        var json = "{\"batch\":[" + string.Join(',', Enumerable.Repeat(item, 27)) + "]}";

        var response = await Admin.PostAsync("/v1/batch", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("resource_exhausted", (await response.JsonAsync()).GetProperty("code").GetString());
        Assert.False(await _factory.ProfileExistsAsync(user));
    }

    // ---- CORS ----

    [Theory]
    [InlineData("/v1/track")]
    [InlineData("/v1/batch")]
    public async Task Preflight_IsAnswered(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", "https://shop.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");

        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<JsonElement> AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal("invalid_argument", body.GetProperty("code").GetString());
        var message = body.GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message));
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors names {errors}, not {field}");
        Assert.Equal(message, messages[0].GetString());
        return body;
    }
}
