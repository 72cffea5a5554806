namespace TinyCdp.AspNetCore;

/// <summary>Settings of the TinyCdp HTTP API, given to <see cref="TinyCdpApiServiceCollectionExtensions.AddTinyCdpApi"/>.</summary>
public sealed class TinyCdpApiOptions
{
    /// <summary>
    /// The largest request body the API reads, in bytes (a Segment batch is at most 500 KB; some slack
    /// for JSON framing). Larger bodies are answered with 413 without being read. A host should set its
    /// server's own limit (Kestrel's <c>MaxRequestBodySize</c>) to this value.
    /// </summary>
    public const long MaxRequestBodyBytes = 600 * 1024;

    /// <summary>
    /// The origins browsers may call the client routes (ingest, decide, OFREP) from; <c>*</c> among
    /// them allows any origin. Default: any origin.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; set; } = ["*"];

    /// <summary>
    /// Requests allowed per key (per client address for requests without one) in each fixed
    /// one-minute window, over every route of the application; more are answered with 429 and
    /// <c>Retry-After</c>. Default: 60,000.
    /// </summary>
    public int RateLimitPerMinute { get; set; } = 60_000;
}
