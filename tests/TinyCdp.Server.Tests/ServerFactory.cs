using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TinyCdp.Keys;
using TinyCdp.Server.Tests.Logging;

namespace TinyCdp.Server.Tests;

/// <summary>The real server on a temporary SQLite file, with a known admin key.</summary>
public sealed class ServerFactory : ServerFactoryBase;

/// <summary>
/// The real server on a temporary SQLite file, with a known admin key; subclass to change settings.
/// Every server logs at Trace for every category the server does not itself keep quiet (as if an
/// operator turned everything on) into <see cref="Logs"/>, which is scanned for API keys and email
/// addresses: disposing a server that logged one throws, which fails the test or the class.
/// </summary>
public class ServerFactoryBase : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly string _directory = Directory.CreateTempSubdirectory("tinycdp-server-").FullName;

    public string DatabasePath => Path.Combine(_directory, "server.db");

    /// <summary>Everything this server logged.</summary>
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("TINYCDP_CONNECTION", $"Data Source={DatabasePath}");
        builder.UseSetting("TINYCDP_ADMIN_KEY", AdminKey);
        builder.UseEnvironment("Testing");
        builder.ConfigureTestServices(services => services.AddLogging(logging =>
        {
            // Registered after the server's configuration: these rules win over appsettings' levels
            // ("Default": "Information", "Microsoft.AspNetCore": "Warning"), but not over the
            // categories the server forces quiet (QuietLogCategories).
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddFilter((string?)null, LogLevel.Trace);
            logging.AddFilter("Microsoft", LogLevel.Trace);
            logging.AddFilter("Microsoft.AspNetCore", LogLevel.Trace);
            logging.AddFilter("System", LogLevel.Trace);
            logging.AddProvider(Logs.CreateProvider());
        }));
    }

    /// <summary>A client that sends <paramref name="key"/> as a bearer token (none when null).</summary>
    public HttpClient ClientWith(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates a key of a tier through the service and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(ApiKeyKind kind) =>
        (await Services.GetRequiredService<IApiKeyService>().CreateAsync(kind)).Secret;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finalizer; the temp directory is cleaned by the OS.
        }

        if (disposing)
        {
            Logs.ThrowIfSecretsLogged(GetType().Name);
        }
    }
}
