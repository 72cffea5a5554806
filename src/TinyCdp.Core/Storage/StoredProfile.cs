namespace TinyCdp.Storage;

/// <summary>A profile row.</summary>
/// <param name="Id">The stable internal id.</param>
/// <param name="CreatedAt">When it was created (the oldest profile survives a merge).</param>
/// <param name="PropertiesJson">The profile properties (a JSON object).</param>
/// <param name="PropertyTimesJson">For each top-level property, the event time that set it (JSON object of ISO instants), for last-write-wins.</param>
/// <param name="MergedInto">Set when the profile was absorbed by another; its id keeps resolving there.</param>
/// <param name="Version">Incremented by every write that changes the profile row (new, properties, merge).</param>
public sealed record StoredProfile(Guid Id, DateTimeOffset CreatedAt, string PropertiesJson, string PropertyTimesJson, Guid? MergedInto, long Version);
