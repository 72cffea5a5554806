using TinyCdp.Evaluation;

namespace TinyCdp.AspNetCore.Endpoints.Admin;

/// <summary>A segment's current members by stored membership, streamed from the engine (constant memory).</summary>
internal static class SegmentMembers
{
    public static IAsyncEnumerable<SegmentMember> StreamAsync(ITinyCdp cdp, string segment, CancellationToken cancellationToken) =>
        cdp.ListSegmentMembersAsync(segment, cancellationToken);

    public static async Task<long> CountAsync(ITinyCdp cdp, string segment, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in cdp.ListSegmentMembersAsync(segment, cancellationToken))
        {
            count++;
        }

        return count;
    }
}
