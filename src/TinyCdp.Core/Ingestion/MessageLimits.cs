namespace TinyCdp.Ingestion;

/// <summary>The limits every message and batch must keep (SEMANTICS.md §1), in one place.</summary>
/// <remarks>A kilobyte here is 1,024 bytes: "32 KB" is 32,768 bytes and "500 KB" is 512,000 bytes.</remarks>
internal static class MessageLimits
{
    /// <summary>The largest message, in UTF-8 bytes of its JSON (32 KB).</summary>
    public const int MaxMessageBytes = 32 * 1024;

    /// <summary>The largest batch request body, in bytes (500 KB).</summary>
    public const int MaxBatchBytes = 500 * 1024;

    /// <summary>The most messages in one batch.</summary>
    public const int MaxBatchMessages = 2_500;

    /// <summary>The longest track event name, in UTF-16 code units (what JavaScript's <c>length</c> counts).</summary>
    public const int MaxEventNameLength = 200;

    /// <summary>The longest <c>messageId</c>, in UTF-16 code units.</summary>
    public const int MaxMessageIdLength = 200;

    /// <summary>
    /// The deepest nesting inside <c>properties</c>, <c>traits</c> and <c>context</c>: the object
    /// itself is level 1.
    /// </summary>
    public const int MaxDepth = 64;
}
