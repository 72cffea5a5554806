using System.Collections.Immutable;
using TinyCdp.Aggregation;
using TinyCdp.Engine.Cache;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>Gives a batch its working copy of a profile: continued from the commit in flight, loaded (and gated) on first use, or new.</summary>
internal sealed class WorkingProfiles(EngineContext engine, ProfileCache cache, ProfileLoader loader, CommitPipeline pipeline)
{
    /// <summary>
    /// How many consecutive groups may hand a profile's gate on without releasing it: a reader that
    /// waits for the gate (its snapshot expired) waits for at most this many commits.
    /// </summary>
    private const int MaxHandovers = 4;

    /// <summary>The working copy of a profile for this batch, loaded (and gated) on first use.</summary>
    public async Task<WorkingProfile> GetAsync(WriteBatch batch, Guid profileId)
    {
        if (batch.Profiles.TryGetValue(profileId, out var existing))
        {
            return existing;
        }

        if (pipeline.InFlightBasis(batch) is { } basis && basis.Profiles.TryGetValue(profileId, out var previous))
        {
            if (!previous.Retired && previous.Published is { } published && previous.Handovers < MaxHandovers)
            {
                // Written by the commit in flight: continue from its state, keeping its gate (the
                // published snapshot stays the committed one until this group's own publish).
                basis.Gated.Remove(previous.Entry);
                batch.Gated.Add(previous.Entry);
                var continued = new WorkingProfile(previous.Entry, isNew: false, previous.CreatedAt, [.. previous.Identifiers], previous.Properties,
                    previous.Live, published.Memberships, published.Version, previous.StoredTraits) { Handovers = previous.Handovers + 1 };
                batch.Profiles.Add(profileId, continued);
                return continued;
            }

            // Its gate is held until the commit in flight ends (and a waiting reader gets its turn).
            await pipeline.DrainOrThrowAsync().ConfigureAwait(false);
        }

        var entry = await cache.EnterAsync(profileId, engine.Stopping).ConfigureAwait(false);
        batch.Gated.Add(entry);
        await loader.EnsureLoadedAsync(entry, batch.Now, engine.Stopping).ConfigureAwait(false);
        var snapshot = entry.Snapshot!;
        var working = WorkingProfile.FromEntry(entry, isNew: snapshot.Version == 0 && snapshot.Id == Guid.Empty);
        batch.Profiles.Add(profileId, working);
        return working;
    }

    /// <summary>A new profile's working copy, gated.</summary>
    public async Task<WorkingProfile> CreateAsync(WriteBatch batch, Guid profileId)
    {
        var entry = await cache.EnterAsync(profileId, engine.Stopping).ConfigureAwait(false);
        batch.Gated.Add(entry);
        var working = new WorkingProfile(entry, isNew: true, EventTime.TruncateToMilliseconds(batch.Now), [], ProfileProperties.Empty,
            new ProfileAggregates(engine.Catalog, engine.Options.TimeZone), ImmutableDictionary<string, StoredMembership>.Empty, 0,
            ImmutableDictionary<string, string>.Empty);
        batch.Profiles.Add(profileId, working);
        return working;
    }
}
