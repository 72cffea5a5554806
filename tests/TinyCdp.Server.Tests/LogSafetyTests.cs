using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TinyCdp.Server.Tests;

/// <summary>
/// Everything the server logs, at every level down to Trace, while serving keys and emails contains
/// neither. Scopes are not written, as with the console provider's default (the hosting scope holds
/// the request path).
/// </summary>
public sealed class LogSafetyTests : IClassFixture<LogSafetyTests.CapturingFactory>
{
    private readonly CapturingFactory _factory;

    public LogSafetyTests(CapturingFactory factory) => _factory = factory;

    [Fact]
    public async Task Logs_NeverContainKeysOrEmails()
    {
        const string email = "Private.Person@Example.org";
        var writeKey = await _factory.CreateKeyAsync(Storage.ApiKeyKind.Write);
        var client = _factory.CreateClient();
        using var identify = new HttpRequestMessage(HttpMethod.Post, "/v1/identify?apiKey=" + writeKey)
        {
            Content = new StringContent($"{{\"userId\":\"log-user\",\"traits\":{{\"email\":\"{email}\"}}}}", Encoding.UTF8, "application/json"),
        };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(identify)).StatusCode);
        using var batch = new HttpRequestMessage(HttpMethod.Post, "/v1/batch")
        {
            Content = new StringContent($"{{\"writeKey\":\"{writeKey}\",\"batch\":[{{\"type\":\"track\",\"userId\":\"{email}\",\"event\":\"x\"}}]}}", Encoding.UTF8, "text/plain"),
        };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(batch)).StatusCode);
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/users/" + Uri.EscapeDataString(email));
        bad.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", writeKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(bad)).StatusCode);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/v1/decide?userId=x&flag=y");
        unknown.Headers.Add("X-API-Key", "tcdp_unknown-secret-that-must-not-be-logged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(unknown)).StatusCode);

        var logs = string.Join('\n', _factory.Lines);
        Assert.NotEmpty(_factory.Lines);
        Assert.DoesNotContain(writeKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerFactory.AdminKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown-secret-that-must-not-be-logged", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(email, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("private.person@example.org", logs, StringComparison.OrdinalIgnoreCase);
    }

    public sealed class CapturingFactory : ServerFactoryBase
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddFilter(_ => true);
                logging.AddProvider(new CapturingProvider(Lines));
            }));
        }
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{properties}] {exception}");
        }
    }
}
