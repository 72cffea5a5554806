namespace TinyCdp.Server.Hosting;

/// <summary>
/// Keeps the framework log categories that would write request URLs quiet for every logging provider,
/// whatever the configuration says. Paths hold user ids and email addresses
/// (<c>/v1/admin/users/{id}</c>) and query strings hold keys (<c>?apiKey=</c>).
/// </summary>
/// <remarks>
/// <para>A plain <c>AddFilter</c> is not enough: a provider-specific rule in configuration
/// (<c>Logging:Console:LogLevel:Default = Trace</c>) takes precedence over every rule without a provider.
/// Added after configuration (a post-configure step, also re-run when configuration reloads), these
/// rules are repeated for every provider named in the rules, and being the most specific and the last,
/// they win.</para>
/// <para><c>Microsoft.AspNetCore.Hosting.Diagnostics</c> is off entirely: besides "Request starting"
/// lines with the full URL, the host opens a logging scope per request (<c>RequestPath</c>,
/// <c>RequestId</c>) whenever that category is enabled at any level, and every provider that writes
/// scopes (the JSON console, OpenTelemetry) then writes the path with every entry of the request. With
/// the category off the scope is never created. The trace and span ids still come from the activity
/// when tracing listens.</para>
/// </remarks>
internal sealed class QuietLogCategories : Microsoft.Extensions.Options.IPostConfigureOptions<LoggerFilterOptions>
{
    private static readonly (string Category, LogLevel Level)[] Rules =
    [
        ("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None),
        ("Microsoft.AspNetCore.Routing", LogLevel.Warning),
        ("Microsoft.AspNetCore.HttpLogging", LogLevel.Warning),

        // Kestrel writes the whole request target of a malformed request (query string included) into
        // its bad-request entries when this category is enabled at Information or below.
        ("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Warning),
    ];

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var provider in providers)
        {
            foreach (var (category, level) in Rules)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, level, null));
            }
        }
    }
}
