namespace TinyCdp.Definitions;

/// <summary>Progress of bringing stored values and memberships up to date after a definition change.</summary>
/// <param name="State"><c>idle</c>, <c>running</c> or <c>done</c>.</param>
/// <param name="Done">Profiles processed.</param>
/// <param name="Total">Profiles to process.</param>
/// <param name="CatalogVersion">The catalog version being backfilled.</param>
public sealed record BackfillStatus(string State, long Done, long Total, long CatalogVersion);
