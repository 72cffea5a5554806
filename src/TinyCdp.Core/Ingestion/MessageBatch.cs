namespace TinyCdp.Ingestion;

/// <summary>The messages of a <c>/v1/batch</c> body, every one already validated.</summary>
/// <param name="Messages">The items in body order; batch-level <c>sentAt</c> and <c>context</c> already applied.</param>
/// <param name="WriteKey">The body's <c>writeKey</c> (Segment's way to authenticate in the body), if any.</param>
internal sealed record MessageBatch(IReadOnlyList<CdpMessage> Messages, string? WriteKey);
