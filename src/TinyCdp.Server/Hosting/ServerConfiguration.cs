namespace TinyCdp.Server.Hosting;

/// <summary>
/// The server's settings, read from ASP.NET Core configuration (appsettings, command line) and the
/// documented environment variables <c>TINYCDP_STORAGE</c>, <c>TINYCDP_CONNECTION</c> and
/// <c>TINYCDP_ADMIN_KEY</c>.
/// </summary>
internal sealed record ServerConfiguration(string Storage, string Connection, string? AdminKey, string[] CorsOrigins, int RateLimitPerMinute)
{
    public const string DefaultConnection = "Data Source=tinycdp.db";

    public static ServerConfiguration From(IConfiguration configuration)
    {
        var storage = (configuration["TINYCDP_STORAGE"] ?? configuration["TinyCdp:Storage"] ?? "sqlite").Trim().ToLowerInvariant();
        var connection = configuration["TINYCDP_CONNECTION"] ?? configuration["TinyCdp:Connection"] ?? DefaultConnection;
        var adminKey = configuration["TINYCDP_ADMIN_KEY"] ?? configuration["TinyCdp:AdminKey"];
        var origins = (configuration["TINYCDP_CORS_ORIGINS"] ?? configuration["TinyCdp:CorsOrigins"] ?? "*")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rate = int.TryParse(configuration["TINYCDP_RATE_LIMIT_PER_MINUTE"] ?? configuration["TinyCdp:RateLimitPerMinute"], out var parsed) ? parsed : 60_000;
        return new ServerConfiguration(storage, connection, string.IsNullOrWhiteSpace(adminKey) ? null : adminKey.Trim(), origins, rate);
    }
}
