namespace TinyCdp.AspNetCore;

/// <summary>The CORS policy for the routes browsers call (ingest, decide, OFREP).</summary>
internal static class Cors
{
    public const string ClientPolicy = "clients";
}
