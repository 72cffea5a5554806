using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>A profile a previewed draft matches, and the draft's value for it.</summary>
/// <param name="ProfileId">The profile id.</param>
/// <param name="UserId">Its user id, if it has one.</param>
/// <param name="AnonymousId">Its first anonymous id, if any.</param>
/// <param name="Value">The draft's value (true for segments and flag rules).</param>
public sealed record PreviewMatch(Guid ProfileId, string? UserId, string? AnonymousId, Value Value);
