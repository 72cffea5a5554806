namespace TinyCdp.Storage;

/// <summary>Whether a profile is in a segment, and since when.</summary>
/// <param name="ProfileId">The profile.</param>
/// <param name="Segment">The segment key.</param>
/// <param name="InSegment">Membership.</param>
/// <param name="Since">When it last changed.</param>
/// <param name="UpdatedAt">When it was last evaluated.</param>
public sealed record StoredMembership(Guid ProfileId, string Segment, bool InSegment, DateTimeOffset Since, DateTimeOffset UpdatedAt);
