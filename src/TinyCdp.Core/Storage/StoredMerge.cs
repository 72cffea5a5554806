namespace TinyCdp.Storage;

/// <summary>A merge: <paramref name="Absorbed"/> became part of <paramref name="Survivor"/>.</summary>
/// <param name="Survivor">The profile that remains.</param>
/// <param name="Absorbed">The profile absorbed.</param>
/// <param name="At">When.</param>
/// <param name="MessageId">The message that caused it.</param>
public sealed record StoredMerge(Guid Survivor, Guid Absorbed, DateTimeOffset At, string MessageId);
