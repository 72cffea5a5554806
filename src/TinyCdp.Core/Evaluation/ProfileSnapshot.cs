using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Evaluation;

/// <summary>
/// What readers see of a profile: immutable, published by the writer after each commit and read
/// without locks. Aggregate values hold until <see cref="AggregateValues.ValidUntil"/>; past that a
/// reader asks for a refresh.
/// </summary>
internal sealed record ProfileSnapshot(
    Guid Id,
    DateTimeOffset CreatedAt,
    ImmutableArray<Identifier> Identifiers,
    ProfileProperties Properties,
    CatalogSnapshot Catalog,
    AggregateValues Aggregates,
    ImmutableDictionary<string, StoredMembership> Memberships,
    long Version)
{
    /// <summary>The profile's user id, if it has one.</summary>
    public string? UserId => Identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value;

    /// <summary>The profile's first anonymous id, if any.</summary>
    public string? AnonymousId => Identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.AnonymousId).Value;

    /// <summary>An empty profile (an unknown user) for a catalog, evaluated at <paramref name="now"/>.</summary>
    public static ProfileSnapshot Empty(CatalogSnapshot catalog, TimeZoneInfo timeZone, DateTimeOffset now) =>
        new(Guid.Empty, now, [], ProfileProperties.Empty, catalog, new ProfileAggregates(catalog, timeZone).Evaluate(now) with { ComputedAt = DateTimeOffset.MinValue },
            ImmutableDictionary<string, StoredMembership>.Empty, 0);
}
