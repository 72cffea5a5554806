using Microsoft.Extensions.Configuration;
using TinyCdp.Server.Cli;

namespace TinyCdp.Server.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tinycdp-cli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private IConfiguration Configuration => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["TINYCDP_CONNECTION"] = $"Data Source={Path.Combine(_directory, "cli.db")}" })
        .Build();

    [Fact]
    public async Task Validate_InvalidExpression_PrintsTheErrorWithACaretAndExits1()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await AdminCli.RunAsync(["validate", "--type", "trait", "events.purchase.count_30d >= "], Configuration, output, error);

        Assert.Equal(1, code);
        Assert.Equal(
            "Syntax error (line 1, column 30): unexpected end of input, expected a number, string, name or '('." + Environment.NewLine +
            "  events.purchase.count_30d >= " + Environment.NewLine +
            "                               ^" + Environment.NewLine,
            error.ToString());
    }

    [Fact]
    public async Task Validate_ValidExpression_PrintsTheCanonicalFormAndExits0()
    {
        var output = new StringWriter();

        var code = await AdminCli.RunAsync(["validate", "--type", "segment", "events.purchase.count_30d>=3 and profile.plan=='pro'"], Configuration, output, new StringWriter());

        Assert.Equal(0, code);
        Assert.Equal("valid segment expression: events.purchase.count_30d >= 3 && profile.plan == \"pro\" (bool)" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task KeysCreate_PrintsTheKeyOnceAndMigrateSucceeds()
    {
        var output = new StringWriter();

        Assert.Equal(0, await AdminCli.RunAsync(["migrate"], Configuration, output, new StringWriter()));
        Assert.Equal(0, await AdminCli.RunAsync(["keys", "create", "--kind", "write", "--description", "ci"], Configuration, output, new StringWriter()));

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal("The schema is up to date.", lines[0]);
        Assert.StartsWith("id:   key_", lines[1], StringComparison.Ordinal);
        Assert.Equal("kind: write", lines[2]);
        Assert.StartsWith("key:  tcdp_", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_UnknownKind_Exits2()
    {
        var error = new StringWriter();

        Assert.Equal(2, await AdminCli.RunAsync(["keys", "create", "--kind", "root"], Configuration, new StringWriter(), error));
        Assert.Equal("--kind must be read, write or admin, not 'root'." + Environment.NewLine, error.ToString());
    }
}
