using TinyCdp.Server.Cli;
using TinyCdp.Server.Hosting;

// The same executable is the server and its admin CLI (keys create, validate, migrate).
if (AdminCli.IsCommand(args))
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray()).Build();
    return await AdminCli.RunAsync(args, configuration, Console.Out, Console.Error);
}

// appsettings.json is read from the application's directory, not the working directory (Hosting/ContentRoot.cs).
var builder = WebApplication.CreateBuilder(ContentRoot.Options(args, Environment.GetEnvironmentVariable));
builder.AddTinyCdpServer();
builder.Services.AddHostedService<AdminKeyBootstrap>();
var app = builder.Build();
app.UseTinyCdpServer();
await app.RunAsync();
return 0;

/// <summary>The server's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
