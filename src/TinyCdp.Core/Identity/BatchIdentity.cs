using TinyCdp.Engine;
using TinyCdp.Engine.Cache;
using TinyCdp.Engine.Writing;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Identity;

/// <summary>
/// Identity resolution inside a write batch (SEMANTICS.md §2): finds who owns a message's identifiers
/// (the batch, the cache, then the store), lets <see cref="IdentityResolver"/> decide, and carries the
/// decision out on the batch's working profiles: creates, attaches, merges.
/// </summary>
internal sealed class BatchIdentity(EngineContext engine, ProfileCache cache, WorkingProfiles workings)
{
    /// <summary>The profile owning an identifier, after this batch's merges; looked up in the store when not known yet.</summary>
    public async Task<Guid?> OwnerOfAsync(WriteBatch batch, Identifier identifier)
    {
        if (batch.Owners.TryGetValue(identifier, out var owner))
        {
            return owner;
        }

        if (cache.TryGetOwner(identifier, out var cached))
        {
            return batch.Follow(cached);
        }

        var found = await engine.Store.FindProfilesAsync([identifier], engine.Stopping).ConfigureAwait(false);
        if (found.TryGetValue(identifier, out var stored))
        {
            stored = batch.Follow(stored);
            batch.Owners[identifier] = stored;
            return stored;
        }

        return null;
    }

    /// <summary>Resolves the message's identifiers: the profile it goes to, created, merged or attached to.</summary>
    public async Task<WorkingProfile> ResolveAsync(WriteBatch batch, IReadOnlyList<Identifier> own, IReadOnlyList<Identifier> aliasTargets, string messageId)
    {
        // Highest priority first: the user id, then the email, then anonymous ids; an alias's previous id last.
        var candidates = own.OrderBy(i => i.Kind switch { IdentifierKind.UserId => 0, IdentifierKind.EmailHash => 1, _ => 2 }).ToList();
        if (aliasTargets.Count > 0)
        {
            var owned = new List<Identifier>();
            foreach (var target in aliasTargets)
            {
                if (await OwnerOfAsync(batch, target).ConfigureAwait(false) is not null)
                {
                    owned.Add(target);
                }
            }

            candidates.AddRange(owned.Count > 0 ? owned : aliasTargets.Where(t => t.Kind == IdentifierKind.AnonymousId));
        }

        var userIdentifier = candidates.FirstOrDefault(i => i.Kind == IdentifierKind.UserId && own.Contains(i));
        foreach (var candidate in candidates)
        {
            if (await OwnerOfAsync(batch, candidate).ConfigureAwait(false) is { } owner)
            {
                await workings.GetAsync(batch, owner).ConfigureAwait(false);
            }
        }

        var resolution = IdentityResolver.Resolve(
            candidates,
            droppable: i => !i.Equals(userIdentifier),
            ownerOf: i => batch.Owners.TryGetValue(i, out var o) ? o : cache.TryGetOwner(i, out var cached) ? batch.Follow(cached) : null,
            factsOf: id => batch.Profiles[id].Facts,
            newProfileId: () => ProfileIdGenerator.Create(batch.Now, engine.LastSequence + 1)); // the sequence this message is about to get

        var working = resolution.Created
            ? await workings.CreateAsync(batch, resolution.ProfileId).ConfigureAwait(false)
            : batch.Profiles[resolution.ProfileId];
        foreach (var absorbed in resolution.Absorbed)
        {
            Merge(batch, working, batch.Profiles[absorbed], messageId);
        }

        foreach (var identifier in resolution.Attach)
        {
            if (!working.Identifiers.Contains(identifier))
            {
                working.Identifiers.Add(identifier);
            }

            batch.Owners[identifier] = working.Id;
            batch.Transaction.Identifiers.Add((identifier, working.Id));
        }

        return working;
    }

    /// <summary>Absorbs a profile into the survivor within the batch: identifiers, properties, pending messages; its memberships end.</summary>
    private static void Merge(WriteBatch batch, WorkingProfile survivor, WorkingProfile absorbed, string messageId)
    {
        foreach (var identifier in absorbed.Identifiers)
        {
            if (!survivor.Identifiers.Contains(identifier))
            {
                survivor.Identifiers.Add(identifier);
            }

            batch.Owners[identifier] = survivor.Id;
        }

        survivor.Properties = survivor.Properties.Merge(absorbed.Properties);

        // Messages and identifiers this batch already wrote for the absorbed profile move with it:
        // the store applies merges before identifiers and events, so they must name the survivor.
        var events = batch.Transaction.Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].ProfileId == absorbed.Id)
            {
                events[i] = events[i] with { ProfileId = survivor.Id };
            }
        }

        var attached = batch.Transaction.Identifiers;
        for (var i = 0; i < attached.Count; i++)
        {
            if (attached[i].ProfileId == absorbed.Id)
            {
                attached[i] = (attached[i].Identifier, survivor.Id);
            }
        }

        survivor.Pending.AddRange(absorbed.Pending.Select(e => e with { ProfileId = survivor.Id }));
        survivor.AbsorbedStored.Add(absorbed.Id);
        survivor.AbsorbedStored.AddRange(absorbed.AbsorbedStored);
        survivor.NeedsRebuild = true;
        survivor.Merged = true;

        // The absorbed profile leaves its segments; the survivor's are recomputed when the batch ends.
        Evaluation.DerivedRecords.Exits(batch.Transaction, absorbed.Id, absorbed.UserId, absorbed.Memberships.Values, batch.Now, ChangeCause.Merge);
        absorbed.Retired = true;
        batch.MergedInto[absorbed.Id] = survivor.Id;
        batch.Transaction.Merges.Add(new StoredMerge(survivor.Id, absorbed.Id, EventTime.TruncateToMilliseconds(batch.Now), messageId));
    }
}
