using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Keys;
using TinyCdp.Language;
using TinyCdp.Server.Hosting;

namespace TinyCdp.Server.Cli;

/// <summary>
/// The executable's admin commands: <c>keys create --kind read|write|admin [--description text]</c>,
/// <c>validate --type trait|segment|flag "expression"</c> (exit 1 when invalid, with a caret under
/// the error), and <c>migrate</c>. Configuration as for the server (TINYCDP_STORAGE, TINYCDP_CONNECTION).
/// </summary>
internal static class AdminCli
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "keys" or "validate" or "migrate";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        switch (args[0])
        {
            case "validate":
                return Validate(args[1..], output, error);
            case "migrate":
                await using (var services = BuildServices(configuration))
                {
                    if (!await services.GetRequiredService<Engine.ReadinessProbe>().IsReadyAsync())
                    {
                        await error.WriteLineAsync("The store could not be reached or migrated.");
                        return 1;
                    }
                }

                await output.WriteLineAsync("The schema is up to date.");
                return 0;
            case "keys" when args.Length >= 2 && args[1] == "create":
                var kindText = Option(args, "--kind") ?? "admin";
                if (!Enum.TryParse<ApiKeyKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                {
                    await error.WriteLineAsync($"--kind must be read, write or admin, not '{kindText}'.");
                    return 2;
                }

                await using (var services = BuildServices(configuration))
                {
                    var created = await services.GetRequiredService<IApiKeyService>().CreateAsync(kind, Option(args, "--description"));
                    await output.WriteLineAsync($"id:   {created.Info.Id}");
                    await output.WriteLineAsync($"kind: {KindName(kind)}");
                    await output.WriteLineAsync($"key:  {created.Secret}");
                    await output.WriteLineAsync("The key is shown only now; store it safely.");
                }

                return 0;
            default:
                await error.WriteLineAsync("Usage: keys create --kind read|write|admin [--description text] | validate --type trait|segment|flag \"expression\" | migrate");
                return 2;
        }
    }

    private static int Validate(string[] args, TextWriter output, TextWriter error)
    {
        var type = Option(args, "--type") ?? "trait";
        var expression = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).LastOrDefault();
        if (expression is null)
        {
            error.WriteLine("validate needs an expression.");
            return 2;
        }

        var kind = type switch
        {
            "trait" => ExpressionKind.Trait,
            "segment" => ExpressionKind.Segment,
            "flag" => ExpressionKind.Flag,
            _ => (ExpressionKind?)null,
        };
        if (kind is null)
        {
            error.WriteLine($"--type must be trait, segment or flag, not '{type}'.");
            return 2;
        }

        // Offline: names are checked as the language defines them; trait and segment references need a running catalog (the HTTP validate route).
        var environment = new SymbolEnvironment();
        if (ExpressionCompiler.TryCompile(expression, kind.Value, environment, out var compiled, out var problem))
        {
            output.WriteLine($"valid {type} expression: {compiled.Text} ({compiled.ResultType.Name()})");
            return 0;
        }

        var line = expression.Split('\n')[problem.Line - 1];
        error.WriteLine(problem.Message);
        error.WriteLine("  " + line);
        error.WriteLine("  " + new string(' ', problem.Column - 1) + new string('^', Math.Max(1, Math.Min(problem.Span.Length, line.Length - problem.Column + 1))));
        return 1;
    }

    /// <summary>The tier's name as the HTTP API and <c>--kind</c> spell it.</summary>
    private static string KindName(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Admin => "admin",
        ApiKeyKind.Write => "write",
        _ => "read",
    };

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static ServiceProvider BuildServices(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        var server = ServerConfiguration.From(configuration);
        services.AddLogging();
        services.AddTinyCdp(b =>
        {
            server.UseStore(b);
            b.Configure(o => o.MembershipTimer = false);
        });
        return services.BuildServiceProvider();
    }
}
