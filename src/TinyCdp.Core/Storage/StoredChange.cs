using TinyCdp.Evaluation;

namespace TinyCdp.Storage;

/// <summary>One entry of the membership change feed.</summary>
/// <param name="Cursor">Assigned by the store, increasing; 0 before it is stored.</param>
/// <param name="ProfileId">The profile.</param>
/// <param name="UserId">The profile's user id, if it has one.</param>
/// <param name="Segment">The segment key.</param>
/// <param name="Entered">True when the profile entered, false when it left.</param>
/// <param name="At">When the change happened.</param>
/// <param name="Cause">Why.</param>
public sealed record StoredChange(long Cursor, Guid ProfileId, string? UserId, string Segment, bool Entered, DateTimeOffset At, ChangeCause Cause);
