namespace TinyCdp.Evaluation;

/// <summary>A profile's membership of one segment.</summary>
/// <param name="Segment">The key.</param>
/// <param name="InSegment">Whether it is a member at the view's instant.</param>
/// <param name="Since">When the stored membership last changed, if stored.</param>
/// <param name="UpdatedAt">When the stored membership was last evaluated, if stored.</param>
public sealed record SegmentState(string Segment, bool InSegment, DateTimeOffset? Since, DateTimeOffset? UpdatedAt);
