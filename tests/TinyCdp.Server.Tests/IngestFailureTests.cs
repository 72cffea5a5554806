using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static TinyCdp.Server.Tests.IngestTestHelpers;

namespace TinyCdp.Server.Tests;

/// <summary>Ingest against a failing store, and against the real Kestrel server's body-size limit.</summary>
public sealed class IngestFailureTests
{
    [Theory]
    [InlineData("/v1/track", """{"event":"e","userId":"u"}""")]
    [InlineData("/v1/batch", """{"batch":[{"type":"track","event":"e","userId":"u"}]}""")]
    public async Task StoreUnavailable_Is503NotA500(string path, string json)
    {
        using var factory = new CustomServerFactory(services =>
            services.Replace(ServiceDescriptor.Singleton(DispatchProxy.Create<ITinyCdp, UnavailableTinyCdp>())));

        var response = await factory.ClientWith(ServerFactory.AdminKey).PostAsync(path, json);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("unavailable", body.GetProperty("code").GetString());
        Assert.DoesNotContain("disk", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_ChunkedBodyOverTheLimit_Is413()
    {
        using var factory = new CustomServerFactory(null);
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.ClientWith(ServerFactory.AdminKey);
        var json = $$$"""{"event":"e","userId":"u","properties":{"blob":"{{{new string('x', 700 * 1024)}}}"}}""";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("resource_exhausted", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Kestrel_TextPlainTrack_IsAccepted()
    {
        using var factory = new CustomServerFactory(null);
        factory.UseKestrel(0);
        factory.StartServer();
        var writeKey = await factory.CreateKeyAsync(Keys.ApiKeyKind.Write);
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/v1/track", $$"""{"writeKey":"{{writeKey}}","event":"e","userId":"u"}""", "text/plain");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>An engine whose store is down: every write fails as the real one does.</summary>
    public class UnavailableTinyCdp : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "disk I/O error at /secret/path");
    }

    /// <summary>The server on its own temporary SQLite file, with services replaced.</summary>
    private sealed class CustomServerFactory(Action<IServiceCollection>? configure) : ServerFactoryBase
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (configure is not null)
            {
                builder.ConfigureTestServices(configure);
            }
        }
    }
}
