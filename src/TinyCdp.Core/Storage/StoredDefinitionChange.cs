using TinyCdp.Definitions;

namespace TinyCdp.Storage;

/// <summary>One change to the catalog, for its history.</summary>
/// <param name="Version">The catalog version the change produced.</param>
/// <param name="Kind">The definition's kind.</param>
/// <param name="Key">The definition's key.</param>
/// <param name="Actor">Who made it (an API key id, "cli", "app").</param>
/// <param name="At">When.</param>
/// <param name="BeforeJson">The body before (null when created).</param>
/// <param name="AfterJson">The body after (null when deleted).</param>
public sealed record StoredDefinitionChange(long Version, DefinitionKind Kind, string Key, string? Actor, DateTimeOffset At, string? BeforeJson, string? AfterJson);
