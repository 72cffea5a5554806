using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Cache;

/// <summary>
/// Fills cache entries with committed state: one store read per cold profile
/// (<see cref="ICdpStore.LoadProfileStateAsync"/>), replayed into aggregators for the current catalog.
/// Every method that installs into an entry expects the caller to hold the entry's gate.
/// </summary>
internal sealed class ProfileLoader(EngineContext engine, ProfileCache cache)
{
    /// <summary>
    /// Makes sure the entry holds the committed state for the current catalog (caller holds the
    /// gate). False when the profile is not stored. One store read.
    /// </summary>
    public async Task<bool> EnsureLoadedAsync(ProfileEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (IsCurrent(entry))
        {
            return true;
        }

        var catalog = engine.Catalog;
        var state = await engine.Store.LoadProfileStateAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        return Install(entry, state, catalog, now);
    }

    /// <summary>Whether the entry already holds the committed state for the current catalog (under the gate).</summary>
    public bool IsCurrent(ProfileEntry entry)
    {
        var catalog = engine.Catalog;
        return entry.Snapshot is { } snapshot && entry.Live is { } live && live.Catalog == catalog && snapshot.Catalog == catalog;
    }

    /// <summary>
    /// Builds the entry's aggregators and snapshot from the stored state (caller holds the gate); false
    /// when the profile is not stored or was absorbed.
    /// </summary>
    public bool Install(ProfileEntry entry, StoredProfileState? state, CatalogSnapshot catalog, DateTimeOffset now) =>
        state is not null && state.Profile.MergedInto is null &&
        Install(entry, Prepare(state, catalog, now - EngineContext.CompactionMargin), now);

    /// <summary>Publishes a prepared profile into its entry (caller holds the gate; the preparation fits the catalog and time).</summary>
    public bool Install(ProfileEntry entry, PreparedProfile prepared, DateTimeOffset now)
    {
        var row = prepared.Row;
        var aggregates = prepared.Aggregates;
        aggregates.Compact(now - EngineContext.CompactionMargin);
        entry.Live = aggregates;
        entry.StoredTraits = prepared.TraitValues.ToImmutableDictionary(t => t.Trait, t => t.ValueJson, StringComparer.Ordinal);
        entry.Snapshot = new ProfileSnapshot(entry.Id, row.CreatedAt, [.. prepared.Identifiers], prepared.Properties, prepared.Catalog, aggregates.Evaluate(now),
            prepared.Memberships.ToImmutableDictionary(m => m.Segment, StringComparer.Ordinal), row.Version);
        foreach (var identifier in prepared.Identifiers)
        {
            cache.SetOwner(identifier, entry.Id);
        }

        return true;
    }

    /// <summary>Rebuilds a stored (live) profile's aggregators for a catalog, compacted to a horizon; touches no engine state.</summary>
    public PreparedProfile Prepare(StoredProfileState state, CatalogSnapshot catalog, DateTimeOffset horizon)
    {
        var row = state.Profile;
        var properties = ProfileProperties.FromStored(row.PropertiesJson, row.PropertyTimesJson);
        var aggregates = ProfileReplay.Replay(state.Events, catalog, engine.Options.TimeZone, properties, DateTimeOffset.MaxValue, horizon);
        return new PreparedProfile(row, state.Identifiers, state.Memberships, state.TraitValues, properties, aggregates, catalog, horizon);
    }
}
