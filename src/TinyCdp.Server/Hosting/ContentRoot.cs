namespace TinyCdp.Server.Hosting;

/// <summary>
/// Where the server reads <c>appsettings.json</c> (and <c>appsettings.{Environment}.json</c>) from: the
/// directory of the application (next to <c>TinyCdp.Server.dll</c>), not the working directory,
/// unless the operator names one (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c> or
/// <c>DOTNET_CONTENTROOT</c>).
/// </summary>
/// <remarks>
/// ASP.NET Core's default content root is the working directory, and it reloads the settings files on
/// change, which watches the content root recursively with inotify: a server started from <c>/tmp</c>,
/// <c>/</c> or a home directory watched thousands of directories and queued an event for every write
/// under them by any process (docs/benchmarks.md). The application's directory holds a few files;
/// reloading on change still works there.
/// </remarks>
internal static class ContentRoot
{
    /// <summary>The builder's options for these command-line arguments and environment.</summary>
    public static WebApplicationOptions Options(string[] args, Func<string, string?> environment) => new()
    {
        Args = args,
        ContentRootPath = IsConfigured(args, environment) ? null : AppContext.BaseDirectory,
    };

    /// <summary>True when the command line or the environment names a content root.</summary>
    internal static bool IsConfigured(string[] args, Func<string, string?> environment)
    {
        var commandLine = new ConfigurationBuilder().AddCommandLine(args).Build();
        return !string.IsNullOrEmpty(commandLine[HostDefaults.ContentRootKey])
            || !string.IsNullOrEmpty(environment("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(environment("DOTNET_CONTENTROOT"));
    }
}
