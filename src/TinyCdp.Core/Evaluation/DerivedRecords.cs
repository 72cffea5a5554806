using System.Collections.Immutable;
using TinyCdp.Definitions;
using TinyCdp.Storage;

namespace TinyCdp.Evaluation;

/// <summary>
/// The stored records a profile's evaluation implies: its memberships, the change-feed entries of
/// those that changed, its trait values, and the exits of a profile that goes away. Each adds only
/// what differs from what is stored to the transaction.
/// </summary>
internal static class DerivedRecords
{
    /// <summary>
    /// Compares each segment's value with the stored membership and writes what changed (with a
    /// change-feed entry). On the ingest path an unchanged membership writes nothing; a backfill and
    /// the timer rewrite it to refresh <c>updatedAt</c>. A profile that took part in a merge records
    /// its ingest changes with cause <see cref="ChangeCause.Merge"/>. Returns the memberships after.
    /// </summary>
    public static ImmutableDictionary<string, StoredMembership> Memberships(StoreTransaction transaction, CatalogSnapshot catalog, ProfileEvaluationContext context,
        Guid profileId, string? userId, ImmutableDictionary<string, StoredMembership> memberships, DateTimeOffset at, ChangeCause cause, bool merged)
    {
        foreach (var segment in catalog.Segments)
        {
            var inSegment = context.GetSegment(segment.Slot);
            var before = memberships.GetValueOrDefault(segment.Key);
            if (before is null && !inSegment)
            {
                continue;
            }

            var changed = before is null || before.InSegment != inSegment;
            if (!changed && cause == ChangeCause.Event)
            {
                // Unchanged: no row to write on the ingest path (backfill and the timer refresh updatedAt).
                continue;
            }

            var row = new StoredMembership(profileId, segment.Key, inSegment, changed ? at : before!.Since, at);
            memberships = memberships.SetItem(segment.Key, row);
            transaction.Memberships.Add(row);
            if (changed)
            {
                var recorded = merged && cause == ChangeCause.Event ? ChangeCause.Merge : cause;
                transaction.Changes.Add(new StoredChange(0, profileId, userId, segment.Key, inSegment, at, recorded));
            }
        }

        return memberships;
    }

    /// <summary>Writes each trait value that differs from the stored one; returns the stored values after.</summary>
    public static ImmutableDictionary<string, string> TraitValues(StoreTransaction transaction, CatalogSnapshot catalog, ProfileEvaluationContext context,
        Guid profileId, ImmutableDictionary<string, string> stored, DateTimeOffset at)
    {
        foreach (var trait in catalog.Traits)
        {
            var json = context.GetTrait(trait.Slot).ToJson();
            if (!stored.TryGetValue(trait.Key, out var storedJson) || storedJson != json)
            {
                stored = stored.SetItem(trait.Key, json);
                transaction.TraitValues.Add(new StoredTraitValue(profileId, trait.Key, json, at));
            }
        }

        return stored;
    }

    /// <summary>A profile going away (absorbed by a merge, deleted) leaves every segment it is in, with that cause.</summary>
    public static void Exits(StoreTransaction transaction, Guid profileId, string? userId, IEnumerable<StoredMembership> memberships, DateTimeOffset at, ChangeCause cause)
    {
        foreach (var membership in memberships.Where(m => m.InSegment))
        {
            transaction.Changes.Add(new StoredChange(0, profileId, userId, membership.Segment, false, at, cause));
        }
    }
}
