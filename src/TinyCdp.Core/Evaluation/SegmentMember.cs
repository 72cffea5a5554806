namespace TinyCdp.Evaluation;

/// <summary>A profile in a segment, as the stored membership says.</summary>
/// <param name="ProfileId">The profile.</param>
/// <param name="UserId">Its user id, if it has one.</param>
/// <param name="Since">When it entered.</param>
public sealed record SegmentMember(Guid ProfileId, string? UserId, DateTimeOffset Since);
