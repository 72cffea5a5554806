using TinyCdp.Engine;

namespace TinyCdp.Server.Endpoints.Admin;

/// <summary>
/// A segment's current members, rebuilt by replaying the membership change feed (the engine's
/// public API has no member listing). Memory grows with the number of members, not constant.
/// </summary>
internal static class SegmentMembers
{
    private const int Page = 1000;

    public sealed record Member(Guid ProfileId, string? UserId, DateTimeOffset Since);

    public static async Task<IReadOnlyList<Member>> ListAsync(ITinyCdp cdp, string segment, CancellationToken cancellationToken)
    {
        var members = new Dictionary<Guid, Member>();
        long after = 0;
        while (true)
        {
            var changes = await cdp.ReadChangesAsync(after, Page, cancellationToken);
            foreach (MembershipChange change in changes)
            {
                if (!string.Equals(change.Segment, segment, StringComparison.Ordinal))
                {
                    continue;
                }

                if (change.Entered)
                {
                    members[change.ProfileId] = new Member(change.ProfileId, change.UserId, change.At);
                }
                else
                {
                    members.Remove(change.ProfileId);
                }
            }

            if (changes.Count < Page)
            {
                break;
            }

            after = changes[^1].Cursor;
        }

        return [.. members.Values.OrderBy(m => m.Since).ThenBy(m => m.ProfileId)];
    }
}
