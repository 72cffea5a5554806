using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Keys;
using TinyCdp.Language;
using TinyCdp.Server.Hosting;

namespace TinyCdp.Benchmarks.Server;

/// <summary>
/// The server's whole request pipeline in process (ASP.NET Core's test server: no sockets, no
/// kernel), to see what the HTTP load test's server costs per request without the network:
/// <c>GET /v1/decide</c> for a hot profile with a read key (exception handler, status pages, CORS,
/// API-key authentication, rate limiter, tier authorization, the endpoint, the JSON answer), and
/// <c>GET /health</c> without a key. Baseline, same run: a minimal application answering the same
/// decide bytes from a fixed array, on the same test server.
/// </summary>
[MemoryDiagnoser]
public class ServerPipelineBenchmarks
{
    private const string DecidePath = "/v1/decide";
    private const string DecideQuery = "?userId=hot-user&flag=new_checkout";

    private string _directory = null!;
    private WebApplication _server = null!;
    private WebApplication _baseline = null!;
    private TestServer _serverHost = null!;
    private TestServer _baselineHost = null!;
    private string _authorization = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tinycdp-pipeline-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TINYCDP_CONNECTION"] = $"Data Source={Path.Combine(_directory, "server.db")}",
            ["TINYCDP_RATE_LIMIT_PER_MINUTE"] = "2000000000",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseTestServer();
        builder.AddTinyCdpServer();
        _server = builder.Build();
        _server.UseTinyCdpServer();
        _server.StartAsync().GetAwaiter().GetResult();
        _serverHost = _server.GetTestServer();

        var cdp = _server.Services.GetRequiredService<ITinyCdp>();
        _authorization = "Bearer " + _server.Services.GetRequiredService<IApiKeyService>().CreateAsync(ApiKeyKind.Read).GetAwaiter().GetResult().Secret;
        Check(cdp.Definitions.SaveTraitAsync(new TraitDefinition("total_spent", "events.purchase.sum(amount, 30d)")).GetAwaiter().GetResult().Succeeded);
        Check(cdp.Definitions.SaveTraitAsync(new TraitDefinition("purchases_30d", "events.purchase.count_30d")).GetAwaiter().GetResult().Succeeded);
        Check(cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("frequent", "purchases_30d >= 3")).GetAwaiter().GetResult().Succeeded);
        Check(cdp.Definitions.SaveFlagAsync(new FlagDefinition
        {
            Key = "new_checkout",
            Rules = [new FlagRule("segment(\"frequent\") && trait(\"total_spent\") >= 100") { Split = [new("on", 10), new("off", 90)] }],
        }).GetAwaiter().GetResult().Succeeded);
        for (var i = 0; i < 5; i++)
        {
            Check(cdp.TrackAsync("hot-user", "purchase", Value.ParseJson("{\"amount\": 40}")).GetAwaiter().GetResult().Accepted);
        }

        // The baseline answers the bytes of a real decide answer.
        var answer = Send(_serverHost, DecidePath, DecideQuery, _authorization);
        Check(answer.Response.StatusCode == StatusCodes.Status200OK);
        var body = ReadBody(answer);
        var baseline = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = _directory });
        baseline.Logging.SetMinimumLevel(LogLevel.Warning);
        baseline.WebHost.UseTestServer();
        _baseline = baseline.Build();
        _baseline.MapGet(DecidePath, () => Results.Bytes(body, "application/json; charset=utf-8"));
        _baseline.StartAsync().GetAwaiter().GetResult();
        _baselineHost = _baseline.GetTestServer();
        Check(FixedJson() == StatusCodes.Status200OK && Decide() == StatusCodes.Status200OK && Health() == StatusCodes.Status200OK);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _baseline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A minimal application answering the decide bytes (what ASP.NET Core itself costs).</summary>
    [Benchmark(Baseline = true)]
    public int FixedJson() => Send(_baselineHost, DecidePath, DecideQuery, _authorization).Response.StatusCode;

    /// <summary>The server's pipeline around a trivial anonymous endpoint.</summary>
    [Benchmark]
    public int Health() => Send(_serverHost, "/health", "", null).Response.StatusCode;

    /// <summary>The server's decide, with a read key, for a hot profile.</summary>
    [Benchmark]
    public int Decide() => Send(_serverHost, DecidePath, DecideQuery, _authorization).Response.StatusCode;

    private static HttpContext Send(TestServer host, string path, string query, string? authorization) =>
        host.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
            if (authorization is not null)
            {
                context.Request.Headers.Authorization = authorization;
            }
        }).GetAwaiter().GetResult();

    private static byte[] ReadBody(HttpContext context)
    {
        using var copy = new MemoryStream();
        context.Response.Body.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup did not do what it expects.");
        }
    }
}
