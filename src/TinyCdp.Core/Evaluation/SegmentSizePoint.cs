namespace TinyCdp.Evaluation;

/// <summary>A segment's size at the end of one UTC hour, with the entries and exits recorded in that hour.</summary>
/// <param name="Hour">The start of the hour.</param>
/// <param name="Members">Members at the end of the hour.</param>
/// <param name="Entered">Profiles that entered during the hour.</param>
/// <param name="Exited">Profiles that left during the hour.</param>
public sealed record SegmentSizePoint(DateTimeOffset Hour, long Members, long Entered, long Exited);
