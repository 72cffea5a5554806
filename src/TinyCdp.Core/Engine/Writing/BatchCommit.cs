using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// The end of computing a batch: each touched profile is evaluated (rebuilt first from its stored
/// messages when a merge or a catalog change requires it), and its row, memberships, change-feed entries
/// and trait values go into the batch's transaction. Serial writer operations also commit and publish here.
/// </summary>
internal sealed class BatchCommit(EngineContext engine, CommitPipeline pipeline, StoreCommitter committer, SnapshotPublisher publisher)
{
    /// <summary>Recomputes what the batch changed, commits, and publishes the new snapshots (serially: re-evaluations).</summary>
    public async Task CommitAsync(WriteBatch batch)
    {
        var published = await PrepareAsync(batch).ConfigureAwait(false);
        var cursors = await committer.CommitAsync(batch.Transaction).ConfigureAwait(false);
        publisher.Publish(batch, published, cursors);
    }

    /// <summary>
    /// Recomputes memberships and trait values of the profiles the batch touched and fills its
    /// transaction; returns the snapshots to publish once it is committed.
    /// </summary>
    public async Task<List<(WorkingProfile Working, ProfileSnapshot Snapshot)>> PrepareAsync(WriteBatch batch)
    {
        var catalog = engine.Catalog;
        var transaction = batch.Transaction;
        var published = new List<(WorkingProfile Working, ProfileSnapshot Snapshot)>();
        foreach (var working in batch.Profiles.Values)
        {
            // The profile row changes only when the profile is new, its properties changed or it took part in a merge.
            var rowChanged = working.IsNew || working.Merged || working.Retired || !ReferenceEquals(working.Properties, working.InitialProperties);
            var version = rowChanged ? working.Version + 1 : working.Version;
            if (rowChanged)
            {
                transaction.Profiles.Add(new StoredProfile(working.Id, working.CreatedAt, working.Properties.ToPropertiesJson(),
                    working.Properties.ToTimesJson(), null, version));
            }

            if (working.Retired)
            {
                continue;
            }

            if (working.NeedsRebuild || working.Live.Catalog != catalog)
            {
                working.Live = await RebuildAsync(working, catalog).ConfigureAwait(false);
            }

            var at = batch.EvaluateAt ?? batch.Now;
            var values = working.Live.Evaluate(at);
            var snapshot = new ProfileSnapshot(working.Id, working.CreatedAt, [.. working.Identifiers], working.Properties, catalog, values,
                working.Memberships, version);
            var context = ProfileEvaluationContext.Create(snapshot, at);
            var memberships = DerivedRecords.Memberships(transaction, catalog, context, working.Id, snapshot.UserId, working.Memberships, at, batch.Cause, working.Merged);
            working.StoredTraits = DerivedRecords.TraitValues(transaction, catalog, context, working.Id, working.StoredTraits, at);
            working.Published = snapshot with { Memberships = memberships };
            published.Add((working, working.Published));
        }

        if (batch.Now - engine.LastForget > TimeSpan.FromMinutes(10))
        {
            transaction.ForgetMessageIdsBefore = batch.Now - engine.Options.DedupeWindow;
        }

        return published;
    }

    /// <summary>Rebuilds a profile's aggregators from its stored messages, those of profiles it absorbed, and this batch's.</summary>
    private async Task<ProfileAggregates> RebuildAsync(WorkingProfile working, CatalogSnapshot catalog)
    {
        // The stored history must include what the commit in flight writes (events moved by its merges).
        await pipeline.DrainOrThrowAsync().ConfigureAwait(false);
        var events = new List<StoredEvent>();
        if (!working.IsNew)
        {
            events.AddRange(await engine.Store.GetEventsAsync(working.Id, engine.Stopping).ConfigureAwait(false));
        }

        foreach (var absorbed in working.AbsorbedStored)
        {
            events.AddRange(await engine.Store.GetEventsAsync(absorbed, engine.Stopping).ConfigureAwait(false));
        }

        events.AddRange(working.Pending);
        return ProfileReplay.Replay(events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence), catalog, engine.Options.TimeZone, working.Properties,
            DateTimeOffset.MaxValue);
    }
}
