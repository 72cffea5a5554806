using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TinyCdp.Keys;
using TinyCdp.Server.Tests.Logging;
using static TinyCdp.Server.Tests.IngestTestHelpers;

namespace TinyCdp.Server.Tests;

/// <summary>
/// A representative workload (keys valid, unknown and revoked in every accepted place; emails in
/// bodies, paths, queries and expressions; successes and every kind of rejection) against a server
/// logging everything from Trace with scopes: the capture holds no API key and no email address.
/// Every other test server is scanned the same way when it is disposed (<see cref="ServerFactoryBase"/>);
/// this test makes the check independent of which tests run.
/// </summary>
public sealed class LogSafetyTests : IClassFixture<ServerFactory>
{
    private const string Email = "Private.Person@Example.org";
    private readonly ServerFactory _factory;

    public LogSafetyTests(ServerFactory factory) => _factory = factory;

    [Fact]
    public async Task Logs_OfARepresentativeWorkload_NeverContainKeysOrEmails()
    {
        var keys = _factory.Services.GetRequiredService<IApiKeyService>();
        var writeKey = await _factory.CreateKeyAsync(ApiKeyKind.Write);
        var readKey = await _factory.CreateKeyAsync(ApiKeyKind.Read);
        var revoked = await keys.CreateAsync(ApiKeyKind.Admin);
        await keys.RevokeAsync(revoked.Info.Id);
        const string unknownKey = "tcdp_unknown-secret-that-must-not-be-logged";
        var client = _factory.CreateClient();
        var admin = _factory.ClientWith(ServerFactory.AdminKey);
        var user = Unique("log_user");
        var segment = Unique("log_segment");
        var flag = Unique("log_flag");

        // Definitions that mention an email, and their rejections.
        await Expect(HttpStatusCode.Created, admin.PostAsync("/v1/admin/segments", $$$"""{"key":"{{{segment}}}","rule":"profile.email == \"{{{Email}}}\" || events.log_event.count_all >= 1"}"""));
        await Expect(HttpStatusCode.Created, admin.PostAsync("/v1/admin/flags", $$$"""{"key":"{{{flag}}}","rule":"context.email == \"{{{Email}}}\""}"""));
        await Expect(HttpStatusCode.BadRequest, admin.PostAsync("/v1/admin/traits", $$$"""{"key":"bad","expression":"{{{Email}}}"}"""));
        await Expect(HttpStatusCode.OK, admin.PostAsync("/v1/admin/validate", $$$"""{"expression":"\"{{{Email}}}\" == {{{writeKey}}}"}"""));

        // Ingest with the key in every place, emails as ids, traits and properties.
        foreach (var (path, body) in new[]
        {
            ("/v1/identify", $$$"""{"userId":"{{{user}}}","traits":{"email":"{{{Email}}}"}}"""),
            ("/v1/track", $$$"""{"userId":"{{{Email}}}","event":"log_event","properties":{"email":"{{{Email}}}","key":"{{{writeKey}}}"}}"""),
            ("/v1/alias", $$$"""{"previousId":"{{{Email}}}","userId":"{{{user}}}"}"""),
            ("/v1/batch", $$$$"""{"batch":[{"type":"track","userId":"{{{{user}}}}","event":"log_event","context":{"traits":{"email":"{{{{Email}}}}"}}}]}"""),
        })
        {
            await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, path, body, bearer: writeKey));
            await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, path, body, basic: writeKey));
            await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, path, body, xApiKey: writeKey));
            await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, path + "?apiKey=" + writeKey, body));
            await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, path, body.Insert(1, $$$"""
                "writeKey":"{{{writeKey}}}",
                """), mediaType: "text/plain"));
            foreach (var bad in new[] { unknownKey, revoked.Secret })
            {
                await Expect(HttpStatusCode.Unauthorized, SendAsync(client, HttpMethod.Post, path, body, bearer: bad));
                await Expect(HttpStatusCode.Unauthorized, SendAsync(client, HttpMethod.Post, path + "?apiKey=" + bad, body));
                await Expect(HttpStatusCode.Unauthorized, SendAsync(client, HttpMethod.Post, path, body.Insert(1, $$$"""
                    "writeKey":"{{{bad}}}",
                    """)));
            }

            await Expect(HttpStatusCode.Forbidden, SendAsync(client, HttpMethod.Post, path, body, bearer: readKey));
        }

        // Rejected ingest that echoes nothing into the logs: malformed JSON around a key and an email.
        await Expect(HttpStatusCode.BadRequest, SendAsync(client, HttpMethod.Post, "/v1/track", $$$"""{"userId":"{{{Email}}}","writeKey":"{{{writeKey}}}","event":""", bearer: writeKey));
        await Expect(HttpStatusCode.BadRequest, SendAsync(client, HttpMethod.Post, "/v1/track", $$$"""{"userId":"{{{Email}}}","event":{"x":"{{{writeKey}}}"}}""", bearer: writeKey));
        await Expect(HttpStatusCode.BadRequest, SendAsync(client, HttpMethod.Post, "/v1/batch", $$$"""{"writeKey":"{{{writeKey}}}","batch":[{"type":"nope","userId":"{{{Email}}}"}]}"""));

        // Reads with emails in paths and queries, keys in every header.
        await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Get, $"/v1/decide?userId={Uri.EscapeDataString(Email)}&flag={flag}&email={Uri.EscapeDataString(Email)}", null, xApiKey: readKey));
        await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, $"/ofrep/v1/evaluate/flags/{flag}", $$$"""{"context":{"targetingKey":"{{{Email}}}","email":"{{{Email}}}"}}""", basic: readKey));
        await Expect(HttpStatusCode.OK, SendAsync(client, HttpMethod.Post, "/ofrep/v1/evaluate/flags", $$$"""{"context":{"targetingKey":"{{{Email}}}"}}""", bearer: readKey));
        await Expect(HttpStatusCode.BadRequest, SendAsync(client, HttpMethod.Post, "/ofrep/v1/evaluate/flags", $$$"""{"context":{"targetingKey":"{{{Email}}}""", bearer: readKey));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}/explain?flag={flag}"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/admin/users/search?query={Uri.EscapeDataString(Email)}"));
        await Expect(HttpStatusCode.BadRequest, admin.GetAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}?asOf={Uri.EscapeDataString(Email)}"));
        await Expect(HttpStatusCode.NotFound, admin.GetAsync($"/v1/admin/users/{Uri.EscapeDataString("nobody." + Email)}"));
        await Expect(HttpStatusCode.Forbidden, SendAsync(client, HttpMethod.Get, $"/v1/admin/users/{Uri.EscapeDataString(Email)}", null, bearer: writeKey));
        await Expect(HttpStatusCode.Unauthorized, SendAsync(client, HttpMethod.Get, $"/v1/admin/users/{Uri.EscapeDataString(Email)}", null, xApiKey: unknownKey));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/export/segment/{segment}.csv"));
        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/admin/changes"));

        // Keys: create (the secret is in the answer), list, revoke.
        var created = await admin.PostAsync("/v1/admin/keys", $$$"""{"kind":"read","description":"for {{{Email}}}"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var createdId = (await created.JsonAsync()).GetProperty("id").GetString();
        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/admin/keys"));
        await Expect(HttpStatusCode.NoContent, admin.DeleteAsync($"/v1/admin/keys/{createdId}"));

        // Deletes by email, then everything the definitions touched.
        await Expect(HttpStatusCode.NoContent, admin.DeleteAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}?suppress=true"));
        await Expect(HttpStatusCode.NoContent, admin.DeleteAsync($"/v1/admin/flags/{flag}"));
        await Expect(HttpStatusCode.NoContent, admin.DeleteAsync($"/v1/admin/segments/{segment}"));
        await _factory.Cdp().Definitions.WaitForBackfillAsync();

        Assert.True(_factory.Logs.Findings.Count == 0, string.Join(Environment.NewLine, _factory.Logs.Findings.Distinct().Take(30)));
        Assert.True(_factory.Logs.Count > 0);

        // The capture really sees framework Debug entries and scopes.
        Assert.Contains(_factory.Logs.Entries, e => e.StartsWith("Debug Microsoft.AspNetCore.Authorization.", StringComparison.Ordinal));
        var probe = _factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Probe");
        using (probe.BeginScope("probe scope {Value}", 42))
        {
            probe.LogTrace("probe entry");
        }

        Assert.Contains(_factory.Logs.Entries, e => e.Contains("probe entry", StringComparison.Ordinal) && e.Contains("=> probe scope 42", StringComparison.Ordinal));
        Assert.DoesNotContain(_factory.Logs.Entries, e => e.Contains("RequestPath", StringComparison.Ordinal));
    }

    /// <summary>
    /// Bug found by this capture: the host's per-request logging scope holds <c>RequestPath</c>, so every
    /// entry logged while serving <c>/v1/admin/users/{email}</c> carried the email for any provider that
    /// writes scopes. The server now keeps the hosting category off for every provider, even one that a
    /// provider-specific rule turns all the way up (such a rule used to override the server's filters).
    /// </summary>
    [Fact]
    public async Task Bug_RequestPathScope_CarriedEmailsFromAdminUserPaths()
    {
        using var factory = new ProviderSpecificRuleFactory();
        var admin = factory.ClientWith(ServerFactory.AdminKey);

        await Expect(HttpStatusCode.NotFound, admin.GetAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}"));
        await Expect(HttpStatusCode.Unauthorized, factory.CreateClient().GetAsync($"/v1/decide?userId=x&flag=y&apiKey={ServerFactory.AdminKey}"));

        Assert.Contains(factory.Logs.Entries, e => e.StartsWith("Debug Microsoft.AspNetCore.Authorization.", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Contains("RequestPath", StringComparison.Ordinal) || e.Contains("Request starting", StringComparison.Ordinal));
        Assert.Empty(factory.Logs.Findings);
    }

    /// <summary>
    /// Bug found by the capture during a long fuzz run: Kestrel refuses a malformed request line (a path
    /// that decodes to NUL) before the application runs, and when its bad-request category is enabled at
    /// Information or below it logs the whole request target, query string (<c>?apiKey=</c>) included.
    /// The server now keeps that category at Warning, where Kestrel leaves the target out.
    /// </summary>
    [Fact]
    public async Task Bug_KestrelBadRequestLog_CarriedTheRequestTargetWithKeysAndEmails()
    {
        using var factory = new Fuzzing.FuzzServerFactory();
        var client = factory.CreateClient();

        var response = await client.GetAsync($"/v1/admin/users/{Uri.EscapeDataString(Email)}%00?apiKey={ServerFactory.AdminKey}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(factory.Logs.Findings);
    }

    /// <summary>A server whose configuration has a provider-specific rule turning the capture up to Trace for everything.</summary>
    private sealed class ProviderSpecificRuleFactory : ServerFactoryBase
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, services => services.AddLogging(logging =>
                logging.AddFilter<LogCapture.Provider>(null, LogLevel.Trace)));
        }
    }

    [Fact]
    public void Scanner_FindsKeysAndEmails_AndNothingElse()
    {
        Assert.Single(SecretScanner.Find("key tcdp_abc-DEF_123 here"));
        Assert.Single(SecretScanner.Find("path /v1/admin/users/someone%40example.com"));
        Assert.Single(SecretScanner.Find("Private.Person@Example.org"));
        Assert.Single(SecretScanner.Find(ServerFactory.AdminKey));
        Assert.Empty(SecretScanner.Find("the tcdp_ prefix alone, user@localhost, and an id like 5f0c@3"));
    }

    private static async Task Expect(HttpStatusCode expected, Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string? bearer = null, string? basic = null, string? xApiKey = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (basic is not null)
        {
            request.Headers.Authorization = Basic(basic);
        }

        if (xApiKey is not null)
        {
            request.Headers.Add("X-API-Key", xApiKey);
        }

        return client.SendAsync(request);
    }
}
