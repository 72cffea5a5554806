using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Keys;
using TinyCdp.Language;

namespace TinyCdp.Server.Tests;

public sealed class AdminTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _factory;
    private readonly HttpClient _admin;

    public AdminTests(ServerFactory factory)
    {
        _factory = factory;
        _admin = factory.ClientWith(ServerFactory.AdminKey);
    }

    private ITinyCdp Cdp => _factory.Services.GetRequiredService<ITinyCdp>();

    private static string Unique(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Traits_CreateReadUpdateDelete_InTheSeedShapes()
    {
        var key = Unique("spent");

        var created = await _admin.PostAsJsonAsync("/v1/admin/traits", new { key, expression = "events.purchase.sum(amount, all)", description = "money" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Body(created);
        Assert.Equal(key, body.GetProperty("key").GetString());
        Assert.Equal("events.purchase.sum(amount, all)", body.GetProperty("expression").GetString());
        Assert.Equal("money", body.GetProperty("description").GetString());
        Assert.True(body.GetProperty("version").GetInt64() > 0);
        Assert.Equal(JsonValueKind.String, body.GetProperty("updatedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, body.GetProperty("backfill").GetProperty("state").ValueKind);
        Assert.Equal(JsonValueKind.Number, body.GetProperty("backfill").GetProperty("done").ValueKind);
        Assert.Equal(JsonValueKind.Number, body.GetProperty("backfill").GetProperty("total").ValueKind);

        var list = await Body(await _admin.GetAsync("/v1/admin/traits"));
        Assert.Contains(list.GetProperty("traits").EnumerateArray(), t => t.GetProperty("key").GetString() == key);

        var one = await _admin.GetAsync($"/v1/admin/traits/{key}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);

        var updated = await _admin.PutAsJsonAsync($"/v1/admin/traits/{key}", new { expression = "events.purchase.count_all" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var updatedBody = await Body(updated);
        Assert.Equal("events.purchase.count_all", updatedBody.GetProperty("expression").GetString());
        Assert.True(updatedBody.GetProperty("version").GetInt64() > body.GetProperty("version").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/traits/{key}")).StatusCode);
        var gone = await _admin.GetAsync($"/v1/admin/traits/{key}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("not_found", (await Body(gone)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync($"/v1/admin/traits/{key}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PutAsJsonAsync($"/v1/admin/traits/{key}", new { expression = "1" })).StatusCode);
    }

    [Fact]
    public async Task SegmentsAndFlags_AcceptTheSeedShapes_AndTheFullFlag()
    {
        var segment = Unique("buyers");
        var created = await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = "events.purchase.count_all >= 1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("events.purchase.count_all >= 1", (await Body(created)).GetProperty("rule").GetString());

        var seedFlag = Unique("beta");
        var flag = await _admin.PostAsJsonAsync("/v1/admin/flags", new { key = seedFlag, rule = $"segment(\"{segment}\")" });
        Assert.Equal(HttpStatusCode.Created, flag.StatusCode);
        var flagBody = await Body(flag);
        Assert.Equal($"segment(\"{segment}\")", flagBody.GetProperty("rule").GetString());
        Assert.Equal("on", flagBody.GetProperty("rules")[0].GetProperty("variant").GetString());

        var fullFlag = Unique("color");
        var full = await _admin.PostAsJsonAsync("/v1/admin/flags", new
        {
            key = fullFlag,
            enabled = true,
            variants = new { red = "red", blue = "blue" },
            rules = new object[] { new { when = "true", split = new { red = 50, blue = 50 } } },
            defaultVariant = "red",
        });
        Assert.Equal(HttpStatusCode.Created, full.StatusCode);
        Assert.Equal("blue", (await Body(full)).GetProperty("variants").GetProperty("blue").GetString());

        var segments = await Body(await _admin.GetAsync("/v1/admin/segments"));
        var item = Assert.Single(segments.GetProperty("segments").EnumerateArray(), s => s.GetProperty("key").GetString() == segment);
        Assert.True(item.TryGetProperty("backfill", out _));
        var flags = await Body(await _admin.GetAsync("/v1/admin/flags"));
        Assert.Contains(flags.GetProperty("flags").EnumerateArray(), f => f.GetProperty("key").GetString() == seedFlag);
        Assert.Contains(flags.GetProperty("flags").EnumerateArray(), f => f.GetProperty("key").GetString() == fullFlag);
        Assert.False(Assert.Single(flags.GetProperty("flags").EnumerateArray(), f => f.GetProperty("key").GetString() == fullFlag).TryGetProperty("backfill", out _));
    }

    [Fact]
    public async Task InvalidExpression_Is400_WithMessageAndSpan()
    {
        var response = await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = Unique("bad"), rule = "events.purchase.count_all >=" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await Body(response);
        Assert.Equal("invalid_argument", body.GetProperty("code").GetString());
        Assert.StartsWith("Syntax error (line 1, column", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var span = body.GetProperty("span");
        Assert.Equal(1, span.GetProperty("line").GetInt32());
        Assert.True(span.GetProperty("column").GetInt32() > 1);
        Assert.True(span.GetProperty("end").GetInt32() >= span.GetProperty("start").GetInt32());
        Assert.True(body.GetProperty("errors").TryGetProperty("rule", out _));
    }

    [Fact]
    public async Task DuplicateKey_Is409_AlreadyExists()
    {
        var key = Unique("dup");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key, expression = "1" })).StatusCode);

        var again = await _admin.PostAsJsonAsync("/v1/admin/traits", new { key, expression = "2" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("already_exists", (await Body(again)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task DeletingAReferencedTrait_Is409_ListingTheDependents()
    {
        var trait = Unique("count");
        var segment = Unique("often");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = trait, expression = "events.purchase.count_all" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = $"{trait} >= 3" })).StatusCode);

        var response = await _admin.DeleteAsync($"/v1/admin/traits/{trait}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await Body(response);
        Assert.Contains($"segment {segment}", body.GetProperty("dependents").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync($"/v1/admin/traits/{trait}")).StatusCode);
    }

    [Fact]
    public async Task MalformedBodies_Are400_NamingTheField()
    {
        var malformed = await _admin.PostAsync("/v1/admin/traits", Raw("{\"key\": "));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True((await Body(malformed)).GetProperty("errors").TryGetProperty("body", out _));

        var notObject = await _admin.PostAsync("/v1/admin/segments", Raw("[1,2]"));
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);

        var wrongType = await _admin.PostAsync("/v1/admin/traits", Raw("{\"key\":\"x1\",\"expression\":5}"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.True((await Body(wrongType)).GetProperty("errors").TryGetProperty("expression", out _));

        var missingKey = await _admin.PostAsync("/v1/admin/flags", Raw("{\"rule\":\"true\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, missingKey.StatusCode);
        Assert.True((await Body(missingKey)).GetProperty("errors").TryGetProperty("key", out _));

        var badRules = await _admin.PostAsync("/v1/admin/flags", Raw("{\"key\":\"f1\",\"rules\":[{\"when\":1}]}"));
        Assert.Equal(HttpStatusCode.BadRequest, badRules.StatusCode);

        var badSplit = await _admin.PostAsync("/v1/admin/flags", Raw("{\"key\":\"f1\",\"rules\":[{\"when\":\"true\",\"split\":{\"on\":\"x\"}}]}"));
        Assert.Equal(HttpStatusCode.BadRequest, badSplit.StatusCode);

        var badBucket = await _admin.PostAsync("/v1/admin/flags", Raw("{\"key\":\"f1\",\"rules\":[],\"bucketBy\":\"nope\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, badBucket.StatusCode);

        var badKey = await _admin.PostAsync("/v1/admin/keys", Raw("{\"kind\":\"root\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.True((await Body(badKey)).GetProperty("errors").TryGetProperty("kind", out _));
    }

    [Fact]
    public async Task Validate_AnswersValidWithTheType_OrTheErrorWithItsSpan()
    {
        var trait = Unique("level");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = trait, expression = "events.login.count_all" })).StatusCode);

        var valid = await Body(await _admin.PostAsJsonAsync("/v1/admin/validate", new { expression = $"{trait} > 2", type = "segment" }));
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.Equal("bool", valid.GetProperty("resultType").GetString());

        var number = await Body(await _admin.PostAsJsonAsync("/v1/admin/validate", new { expression = $"{trait} + 1", type = "trait" }));
        Assert.Equal("number", number.GetProperty("resultType").GetString());

        var invalid = await Body(await _admin.PostAsJsonAsync("/v1/admin/validate", new { expression = "no_such_trait > 2", type = "segment" }));
        Assert.False(invalid.GetProperty("valid").GetBoolean());
        Assert.Contains("no_such_trait", invalid.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, invalid.GetProperty("span").GetProperty("start").GetInt32());

        var badType = await _admin.PostAsJsonAsync("/v1/admin/validate", new { expression = "1", type = "query" });
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
    }

    [Fact]
    public async Task Preview_CountsTheSampledMatches_OrAnswersTheErrorAsValidateDoes()
    {
        var name = Unique("clicked");
        var users = new[] { Unique("pa"), Unique("pb"), Unique("pc") };
        foreach (var user in users)
        {
            Assert.True((await Cdp.TrackAsync(user, name)).Accepted);
        }

        Assert.True((await Cdp.TrackAsync(Unique("pd"), "view")).Accepted);

        var response = await _admin.PostAsJsonAsync("/v1/admin/preview", new { type = "segment", expression = $"events[\"{name}\"].count_all > 0" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Body(response);
        Assert.True(body.GetProperty("valid").GetBoolean());
        Assert.Equal("bool", body.GetProperty("resultType").GetString());
        Assert.True(body.GetProperty("sampled").GetInt32() >= 4);
        Assert.Equal(3, body.GetProperty("matched").GetInt32());
        var matches = body.GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal(users.Order(), matches.Select(m => m.GetProperty("userId").GetString()!).Order());
        Assert.All(matches, m => Assert.True(m.GetProperty("value").GetBoolean()));
        Assert.All(matches, m => Assert.True(Guid.TryParse(m.GetProperty("profileId").GetString(), out _)));

        var one = await Body(await _admin.PostAsJsonAsync("/v1/admin/preview", new { type = "trait", expression = $"events[\"{name}\"].count_all", sampleSize = 1 }));
        Assert.Equal("number", one.GetProperty("resultType").GetString());
        Assert.Equal(1, one.GetProperty("sampled").GetInt32());

        var invalid = await Body(await _admin.PostAsJsonAsync("/v1/admin/preview", new { type = "flag", expression = "no_such_trait > 2" }));
        Assert.False(invalid.GetProperty("valid").GetBoolean());
        Assert.Equal("Name error (line 1, column 1): unknown name 'no_such_trait': it is not a trait or a built-in name.", invalid.GetProperty("error").GetString());
        Assert.Equal(13, invalid.GetProperty("span").GetProperty("end").GetInt32());

        var badSize = await _admin.PostAsJsonAsync("/v1/admin/preview", new { expression = "true", sampleSize = 10_001 });
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.Equal("sampleSize must be an integer from 1 to 10000", (await Body(badSize)).GetProperty("errors").GetProperty("sampleSize")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync("/v1/admin/preview", new { expression = "true", type = "query" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync("/v1/admin/preview", new { type = "segment" })).StatusCode);
    }

    [Fact]
    public async Task Keys_CreateListRevoke_RevocationIsImmediate()
    {
        var created = await _admin.PostAsJsonAsync("/v1/admin/keys", new { kind = "read", description = "web" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Body(created);
        var id = body.GetProperty("id").GetString()!;
        var secret = body.GetProperty("key").GetString()!;
        Assert.Equal("read", body.GetProperty("kind").GetString());

        var reader = _factory.ClientWith(secret);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/admin/flags")).StatusCode);

        var listText = await (await _admin.GetAsync("/v1/admin/keys")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        var listed = Assert.Single(JsonDocument.Parse(listText).RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.Equal("web", listed.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        Assert.False(listed.TryGetProperty("key", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("/v1/admin/flags")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync($"/v1/admin/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync("/v1/admin/keys/nope")).StatusCode);
    }

    [Fact]
    public async Task ReadKey_MayListDefinitions_ButNotAdminRoutes()
    {
        var reader = _factory.ClientWith(await _factory.CreateKeyAsync(ApiKeyKind.Read));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/admin/traits")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/admin/segments")).StatusCode);

        foreach (var forbidden in new[]
        {
            await reader.GetAsync("/v1/admin/users/someone"),
            await reader.GetAsync("/v1/admin/keys"),
            await reader.PostAsJsonAsync("/v1/admin/traits", new { key = "x", expression = "1" }),
            await reader.GetAsync("/v1/export/segment/x.csv"),
            await reader.GetAsync("/v1/admin/changes"),
        })
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            var body = await Body(forbidden);
            Assert.Equal("admin permission required", body.GetProperty("message").GetString());
            Assert.Equal("permission_denied", body.GetProperty("code").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync("/v1/admin/traits")).StatusCode);
    }

    [Fact]
    public async Task UserDetail_ShowsIdentityEventsTraitsSegments_AndExplain()
    {
        var trait = Unique("bought");
        var segment = Unique("buyer");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = trait, expression = "events.purchase.count_all" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = $"{trait} >= 1" })).StatusCode);
        var user = Unique("user");
        await Cdp.IdentifyAsync(user, Value.Object([KeyValuePair.Create("plan", Value.String("pro"))]));
        await Cdp.TrackAsync(user, "purchase", Value.Object([KeyValuePair.Create("amount", Value.Number(12))]));

        var response = await _admin.GetAsync($"/v1/admin/users/{user}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Body(response);
        var detail = body.GetProperty("user");
        Assert.Contains(detail.GetProperty("aliases").EnumerateArray(), a => a.GetProperty("kind").GetString() == "userId" && a.GetProperty("value").GetString() == user);
        Assert.Equal("pro", detail.GetProperty("profile").GetProperty("plan").GetString());
        var purchase = Assert.Single(detail.GetProperty("recentEvents").EnumerateArray(), e => e.GetProperty("name").GetString() == "purchase");
        Assert.Equal(12, purchase.GetProperty("props").GetProperty("amount").GetDouble());
        Assert.Equal(1, Assert.Single(detail.GetProperty("traits").EnumerateArray(), t => t.GetProperty("key").GetString() == trait).GetProperty("value").GetDouble());
        Assert.True(Assert.Single(detail.GetProperty("segments").EnumerateArray(), s => s.GetProperty("key").GetString() == segment).GetProperty("inSegment").GetBoolean());
        Assert.True(detail.GetProperty("eventCounts").GetProperty("total").GetInt64() >= 1);
        Assert.Equal(1, detail.GetProperty("eventCounts").GetProperty("last_24h").GetInt64());
        Assert.Equal(JsonValueKind.Array, detail.GetProperty("merges").ValueKind);
        Assert.Equal(JsonValueKind.String, body.GetProperty("asOf").ValueKind);

        var profileId = detail.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync($"/v1/admin/users/{profileId}")).StatusCode);

        var past = await Body(await _admin.GetAsync($"/v1/admin/users/{user}?asOf=2000-01-01T00:00:00Z"));
        Assert.StartsWith("2000-01-01", past.GetProperty("asOf").GetString(), StringComparison.Ordinal);

        var explained = await _admin.GetAsync($"/v1/admin/users/{user}/explain?segment={segment}");
        Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        var tree = await Body(explained);
        Assert.True(tree.GetProperty("value").GetBoolean());
        Assert.Equal(JsonValueKind.String, tree.GetProperty("text").ValueKind);
        Assert.NotEmpty(tree.GetProperty("children").EnumerateArray());

        var search = await Body(await _admin.GetAsync($"/v1/admin/users/search?query={user}"));
        Assert.Equal(1, search.GetProperty("total").GetInt32());
        Assert.Equal(profileId, search.GetProperty("users")[0].GetProperty("id").GetString());
        Assert.Equal(0, (await Body(await _admin.GetAsync("/v1/admin/users/search?query=nobody_at_all"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task UserRoutes_RejectBadParameters_AndUnknownUsers()
    {
        var badAsOf = await _admin.GetAsync("/v1/admin/users/someone?asOf=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badAsOf.StatusCode);
        Assert.True((await Body(badAsOf)).GetProperty("errors").TryGetProperty("asOf", out _));

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/v1/admin/users/{Unique("ghost")}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/v1/admin/users/someone/explain")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/v1/admin/users/search?limit=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.DeleteAsync("/v1/admin/users/someone?suppress=maybe")).StatusCode);

        var user = Unique("explainer");
        await Cdp.TrackAsync(user, "login");
        var unknownFlag = await _admin.GetAsync($"/v1/admin/users/{user}/explain?flag=no_such_flag");
        Assert.Equal(HttpStatusCode.NotFound, unknownFlag.StatusCode);
        Assert.Equal("Flag 'no_such_flag' not found", (await Body(unknownFlag)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task DeleteUser_Is204_ThenTheUserIsGone()
    {
        var user = Unique("leaver");
        await Cdp.TrackAsync(user, "login");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/users/{user}?suppress=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/v1/admin/users/{user}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync($"/v1/admin/users/{user}")).StatusCode);
    }

    [Fact]
    public async Task ChangesFeed_ListsEntries_AndPagesWithNext()
    {
        var segment = Unique("feed");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = "events.signup.count_all >= 1" })).StatusCode);
        await Cdp.Definitions.WaitForBackfillAsync();
        var user = Unique("joiner");
        await Cdp.TrackAsync(user, "signup");

        var changes = new List<JsonElement>();
        var after = "0";
        while (true)
        {
            var page = await Body(await _admin.GetAsync($"/v1/admin/changes?after={after}&limit=50"));
            var items = page.GetProperty("changes").EnumerateArray().ToList();
            changes.AddRange(items);
            after = page.GetProperty("next").GetString()!;
            if (items.Count < 50)
            {
                break;
            }
        }

        var change = Assert.Single(changes, c => c.GetProperty("segment").GetString() == segment);
        Assert.Equal(user, change.GetProperty("userId").GetString());
        Assert.True(change.GetProperty("entered").GetBoolean());
        Assert.Equal("event", change.GetProperty("cause").GetString());

        var bad = await _admin.GetAsync("/v1/admin/changes?after=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Body(bad)).GetProperty("errors").TryGetProperty("after", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/v1/admin/changes?limit=0")).StatusCode);
    }

    [Fact]
    public async Task SegmentExport_IsCsv_WithFormulaCellsEscaped()
    {
        var segment = Unique("export");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = "events.export_me.count_all >= 1" })).StatusCode);
        await Cdp.Definitions.WaitForBackfillAsync();
        var dangerous = "=HYPERLINK(\"x\",1)" + Guid.NewGuid().ToString("N")[..6];
        var plain = Unique("plain");
        await Cdp.TrackAsync(dangerous, "export_me");
        await Cdp.TrackAsync(plain, "export_me");

        var response = await _admin.GetAsync($"/v1/export/segment/{segment}.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("profile_id,user_id,since", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains($",{plain},", StringComparison.Ordinal));
        var escaped = "\"'" + dangerous.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        Assert.Contains(lines, l => l.Contains("," + escaped + ",", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(",=", StringComparison.Ordinal) || l.Contains(",\"=", StringComparison.Ordinal));

        var descriptor = await Body(await _admin.GetAsync($"/v1/export/segment/{segment}"));
        Assert.Equal(2, descriptor.GetProperty("userCount").GetInt32());
        Assert.EndsWith($"/v1/export/segment/{segment}.csv", descriptor.GetProperty("downloadUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal($"segment-{segment}.csv", descriptor.GetProperty("filename").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/v1/export/segment/no_such_segment.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/v1/export/segment/no_such_segment")).StatusCode);
    }

    [Fact]
    public async Task Flags_ReplaceWithoutKeyInBody_AndRejectAMismatchedKey_AndExplain()
    {
        var key = Unique("gate");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/flags", new { key, rule = "false" })).StatusCode);

        var replaced = await _admin.PutAsJsonAsync($"/v1/admin/flags/{key}", new { rules = new object[] { new { when = "true", variant = "on" } } });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("true", (await Body(replaced)).GetProperty("rules")[0].GetProperty("when").GetString());

        var mismatch = await _admin.PutAsJsonAsync($"/v1/admin/flags/{key}", new { key = "other", rule = "true" });
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.True((await Body(mismatch)).GetProperty("errors").TryGetProperty("key", out _));

        var badRule = await _admin.PutAsJsonAsync($"/v1/admin/flags/{key}", new { rule = "1 +" });
        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        Assert.True((await Body(badRule)).TryGetProperty("span", out _));

        var user = Unique("flagger");
        await Cdp.TrackAsync(user, "login");
        var explained = await _admin.GetAsync($"/v1/admin/users/{user}/explain?flag={key}");
        Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        Assert.Equal(JsonValueKind.String, (await Body(explained)).GetProperty("text").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v1/admin/flags/{key}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/v1/admin/flags/{key}")).StatusCode);
    }

    [Fact]
    public async Task SegmentSize_CountsMembersAndTheirHours_AndAnUnknownSegmentIs404()
    {
        var key = Unique("sized");
        var evt = Unique("bought");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key, rule = $"events.{evt}.count_all >= 1" })).StatusCode);
        await Cdp.Definitions.WaitForBackfillAsync();
        await Cdp.TrackAsync(Unique("sizer"), evt);
        await Cdp.TrackAsync(Unique("sizer"), evt);

        var body = await Body(await _admin.GetAsync($"/v1/admin/segments/{key}/size"));

        Assert.Equal(key, body.GetProperty("key").GetString());
        Assert.Equal(2, body.GetProperty("members").GetInt64());
        // One hour, or two when the tracks straddle an hour's end (this test runs on the real clock).
        var hours = body.GetProperty("history").EnumerateArray().ToList();
        Assert.InRange(hours.Count, 1, 2);
        Assert.Equal(2, hours[^1].GetProperty("members").GetInt64());
        Assert.Equal(2, hours.Sum(hour => hour.GetProperty("entered").GetInt64()));
        Assert.All(hours, hour => Assert.Equal(0, hour.GetProperty("exited").GetInt64()));
        Assert.All(hours, hour => Assert.EndsWith(":00:00.0000000Z", hour.GetProperty("hour").GetString(), StringComparison.Ordinal));

        var missing = await _admin.GetAsync($"/v1/admin/segments/{Unique("none")}/size");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Metrics_ShowTheCatalog()
    {
        var body = await Body(await _admin.GetAsync("/v1/admin/metrics"));

        Assert.True(body.GetProperty("catalogVersion").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Number, body.GetProperty("traits").ValueKind);
        Assert.Equal(JsonValueKind.String, body.GetProperty("backfill").GetProperty("state").ValueKind);
    }
}
