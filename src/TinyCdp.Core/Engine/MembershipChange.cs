using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>A profile entered or left a segment.</summary>
/// <param name="Cursor">Position in the change feed; read on after it.</param>
/// <param name="ProfileId">The profile.</param>
/// <param name="UserId">Its user id, if any.</param>
/// <param name="Segment">The segment.</param>
/// <param name="Entered">True when it entered, false when it left.</param>
/// <param name="At">When the change happened (for time-driven changes, the exact instant).</param>
/// <param name="Cause">Why.</param>
public sealed record MembershipChange(long Cursor, Guid ProfileId, string? UserId, string Segment, bool Entered, DateTimeOffset At, ChangeCause Cause)
{
    internal static MembershipChange From(StoredChange change) =>
        new(change.Cursor, change.ProfileId, change.UserId, change.Segment, change.Entered, change.At, change.Cause);
}
