using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TinyCdp.Storage.Specification.Crash;

namespace TinyCdp.Storage.Postgres.Tests.Servers;

/// <summary>
/// Two real server processes on one PostgreSQL schema, as a deployment runs them: what one node
/// acknowledges, the other reflects within a second; a definition saved on one is used by the other;
/// a message stored through one is a duplicate on the other.
/// </summary>
public sealed class TwoServerTests : IAsyncLifetime
{
    private const string AdminKey = "two-server-admin-key-0123456789abcdef";
    private readonly string _schema = PostgresTestDatabase.NewSchema();
    private ServerProcess? _a;
    private ServerProcess? _b;

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["TINYCDP_STORAGE"] = "postgres",
            ["TINYCDP_CONNECTION"] = PostgresTestDatabase.ConnectionString!,
            ["TINYCDP_SCHEMA"] = _schema,
            ["TINYCDP_ADMIN_KEY"] = AdminKey,
        };
        var starting = new[] { ServerProcess.StartAsync(environment, TimeSpan.FromSeconds(60)), ServerProcess.StartAsync(environment, TimeSpan.FromSeconds(60)) };
        var servers = await Task.WhenAll(starting);
        (_a, _b) = (servers[0], servers[1]);
        foreach (var server in servers)
        {
            server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { _a, _b })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        await PostgresTestDatabase.DropSchemasAsync([_schema]);
    }

    [Fact]
    public async Task TwoNodes_ShareDefinitionsWritesAndDedupe_WithinASecond()
    {
        var a = _a!.Client;
        var b = _b!.Client;
        await Send(a, HttpMethod.Post, "/v1/admin/flags", new { key = "buyer", rule = "events.purchase.count_all >= 2" }, HttpStatusCode.Created, HttpStatusCode.OK);

        // b uses the flag a saved.
        await Until(async () => (await b.GetAsync("/v1/decide?userId=u1&flag=buyer")).StatusCode == HttpStatusCode.OK);
        Assert.False(await Allows(b, "u1"));

        // Writes through a; b holds u1 in memory and must follow.
        await Send(a, HttpMethod.Post, "/v1/track", new { userId = "u1", @event = "purchase", messageId = "m-1" }, HttpStatusCode.OK);
        await Send(a, HttpMethod.Post, "/v1/track", new { userId = "u1", @event = "purchase", messageId = "m-2" }, HttpStatusCode.OK);
        await Until(() => Allows(b, "u1"));

        // Dedupe across nodes: the same message through b is a duplicate.
        using var again = await Send(b, HttpMethod.Post, "/v1/track", new { userId = "u1", @event = "purchase", messageId = "m-2" }, HttpStatusCode.OK);
        using var answer = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.True(answer.RootElement.GetProperty("duplicate").GetBoolean());
    }

    private static async Task<bool> Allows(HttpClient client, string user)
    {
        using var response = await client.GetAsync($"/v1/decide?userId={user}&flag=buyer");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("allow").GetBoolean();
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, object body, params HttpStatusCode[] expected)
    {
        var response = await client.SendAsync(new HttpRequestMessage(method, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        });
        Assert.True(expected.Contains(response.StatusCode), $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    /// <summary>Polls until the condition holds; fails after one second (the contract).</summary>
    private static async Task Until(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "not seen on the other node within one second");
            await Task.Delay(10);
        }
    }
}
