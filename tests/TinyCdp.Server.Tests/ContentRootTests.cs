using TinyCdp.Server.Hosting;

namespace TinyCdp.Server.Tests;

/// <summary>
/// The server reads appsettings.json from the application's directory unless the operator names a
/// content root: never from (and never watching) the working directory.
/// </summary>
public class ContentRootTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Options_NothingConfigured_ApplicationDirectory()
    {
        var options = ContentRoot.Options(["--urls", "http://127.0.0.1:5000"], NoEnvironment);
        Assert.Equal(AppContext.BaseDirectory, options.ContentRootPath);
        Assert.Equal(new[] { "--urls", "http://127.0.0.1:5000" }, options.Args!);
    }

    [Theory]
    [InlineData("--contentRoot=/srv/tinycdp")]
    [InlineData("--contentRoot", "/srv/tinycdp")]
    [InlineData("/contentRoot=/srv/tinycdp")]
    public void Options_CommandLineNamesOne_LeftToTheFramework(params string[] args)
    {
        var options = ContentRoot.Options(args, NoEnvironment);
        Assert.Null(options.ContentRootPath);
        Assert.Equal(args, options.Args!);
    }

    [Theory]
    [InlineData("ASPNETCORE_CONTENTROOT")]
    [InlineData("DOTNET_CONTENTROOT")]
    public void Options_EnvironmentNamesOne_LeftToTheFramework(string variable)
    {
        var options = ContentRoot.Options([], name => name == variable ? "/srv/tinycdp" : null);
        Assert.Null(options.ContentRootPath);
    }

    [Fact]
    public void Options_ApplicationDirectory_HoldsTheServersSettings()
    {
        // The build copies appsettings.json next to the server's assembly, where the server now reads it.
        var serverDirectory = Path.GetDirectoryName(typeof(ContentRoot).Assembly.Location)!;
        Assert.True(File.Exists(Path.Combine(serverDirectory, "appsettings.json")));
    }
}
