namespace TinyCdp.AspNetCore.Auth;

/// <summary>
/// Marks ingest routes, where a key may also come as <c>?apiKey=</c> (the seed's SDK) or as a
/// <c>writeKey</c> field of the JSON body (Segment's libraries).
/// </summary>
internal sealed class BodyKeyMetadata
{
    public static BodyKeyMetadata Instance { get; } = new();
}
