using TinyCdp.Definitions;

namespace TinyCdp.Storage;

/// <summary>A saved definition; its body is the JSON of the definition (expression, rule, flag).</summary>
/// <param name="Kind">Trait, segment or flag.</param>
/// <param name="Key">The key.</param>
/// <param name="BodyJson">The definition as JSON.</param>
/// <param name="Version">The catalog version at which it was last saved.</param>
/// <param name="CreatedAt">When it was first saved.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record StoredDefinition(DefinitionKind Kind, string Key, string BodyJson, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
