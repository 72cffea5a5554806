using TinyCdp.Identity;

namespace TinyCdp.Storage.Sqlite;

/// <summary>A profile being assembled from the result sets of a load (<see cref="SqliteProfileStateLoader"/>).</summary>
internal sealed class SqliteProfileStateBuilder(StoredProfile profile)
{
    public StoredProfile Profile { get; } = profile;

    public List<Identifier> Identifiers { get; } = [];

    public List<StoredEvent> Events { get; } = [];

    public List<StoredMembership> Memberships { get; } = [];

    public List<StoredTraitValue> TraitValues { get; } = [];

    // The orders the single reads promise (ordinal, as .NET compares: SQLite's BINARY collation is UTF-8 order).
    public StoredProfileState ToState() => new(
        Profile,
        [.. Identifiers.OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)],
        Events,
        [.. Memberships.OrderBy(membership => membership.Segment, StringComparer.Ordinal)],
        [.. TraitValues.OrderBy(value => value.Trait, StringComparer.Ordinal)]);
}
