namespace TinyCdp.Storage;

/// <summary>A stored trait value.</summary>
/// <param name="ProfileId">The profile.</param>
/// <param name="Trait">The trait key.</param>
/// <param name="ValueJson">The value as JSON.</param>
/// <param name="UpdatedAt">When it was computed.</param>
public sealed record StoredTraitValue(Guid ProfileId, string Trait, string ValueJson, DateTimeOffset UpdatedAt);
