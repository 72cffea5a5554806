using TinyCdp.Engine.Cache;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// Applies a group's messages to a batch: dedupe, suppression, identity, the stored message, profile
/// properties and aggregates. Nothing is stored here: the batch's transaction collects it.
/// </summary>
internal sealed class MessageIngest(EngineContext engine, ProfileCache cache, WorkingProfiles workings, BatchIdentity identity)
{
    /// <summary>One store round trip each for dedupe, suppression and identifier owners of the whole group.</summary>
    public async Task PrefetchAsync(WriteBatch batch, IngestOperation[] operations)
    {
        var store = engine.Store;
        var messageIds = operations.SelectMany(o => o.Messages).Select(m => m.MessageId).OfType<string>()
            .Where(id => !batch.KnownMessageIds.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
        if (messageIds.Count > 0)
        {
            batch.KnownMessageIds.UnionWith(await store.FindKnownMessageIdsAsync(messageIds, engine.Stopping).ConfigureAwait(false));
        }

        var identifiers = operations.SelectMany(o => o.Messages)
            .SelectMany(m => IdentifierRules.Extract(m).Concat(m.Kind == MessageKind.Alias ? IdentifierRules.AliasTargets(m) : []))
            .Distinct()
            .ToList();
        if (identifiers.Count == 0)
        {
            return;
        }

        var unknown = identifiers.Where(i => !cache.TryGetOwner(i, out _) && !batch.Owners.ContainsKey(i)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        foreach (var (identifier, owner) in await store.FindProfilesAsync(unknown, engine.Stopping).ConfigureAwait(false))
        {
            batch.Owners[identifier] = batch.Follow(owner);
        }

        // A suppressed identifier never has an owner (deletion removes it, and messages carrying it
        // are dropped), so only identifiers nobody owns need the suppression check.
        var unowned = unknown.Where(i => !batch.Owners.ContainsKey(i)).ToList();
        if (unowned.Count > 0)
        {
            batch.Suppressed.UnionWith(await store.FindSuppressedAsync(unowned, engine.Stopping).ConfigureAwait(false));
        }
    }

    /// <summary>Applies one message to the batch; the result says where it went (or that it was a duplicate or suppressed).</summary>
    public async Task<IngestResult> ApplyAsync(WriteBatch batch, CdpMessage message)
    {
        var messageId = message.MessageId ?? ProfileIdGenerator.Create(batch.Now, engine.LastSequence + 1).ToString();
        if (batch.KnownMessageIds.Contains(messageId) || !batch.SeenMessageIds.Add(messageId))
        {
            return new IngestResult(messageId, Guid.Empty, Duplicate: true, Suppressed: false);
        }

        var own = IdentifierRules.Extract(message);
        var aliasTargets = message.Kind == MessageKind.Alias ? IdentifierRules.AliasTargets(message) : [];
        if (batch.Suppressed.Count > 0 && own.Concat(aliasTargets).Any(batch.Suppressed.Contains))
        {
            return new IngestResult(messageId, Guid.Empty, Duplicate: false, Suppressed: true);
        }

        // One identifier that a profile owns (a track of a known user): resolution can only choose that
        // profile and attach nothing, so the resolver is skipped.
        var working = own.Count == 1 && aliasTargets.Count == 0 && await identity.OwnerOfAsync(batch, own[0]).ConfigureAwait(false) is { } known
            ? await workings.GetAsync(batch, known).ConfigureAwait(false)
            : await identity.ResolveAsync(batch, own, aliasTargets, messageId).ConfigureAwait(false);

        var (time, original) = EventTime.Resolve(message.Timestamp, message.SentAt, batch.Now);
        var receivedAt = EventTime.TruncateToMilliseconds(batch.Now);
        var (name, properties) = StoredShape(message);
        var stored = new StoredEvent(++engine.LastSequence, messageId, working.Id, message.Kind, name, time, receivedAt, original,
            properties.ToJson(), message.Kind is MessageKind.Identify or MessageKind.Group && !message.Traits.IsNull ? message.Traits.ToJson() : null);
        batch.Transaction.Events.Add(stored);
        batch.Transaction.MessageIds.Add((messageId, receivedAt));
        working.Pending.Add(stored);
        if (message.Kind == MessageKind.Identify)
        {
            var before = working.Properties;
            working.Properties = working.Properties.Apply(message.Traits, time, stored.Sequence);
            working.NeedsRebuild |= !ReferenceEquals(before, working.Properties) && working.Live.FiltersReadProfile;
        }

        working.Live.Add(message.Kind, name, time, properties, working.Properties.AsValue);
        return new IngestResult(messageId, working.Id, Duplicate: false, Suppressed: false) { Sequence = stored.Sequence };
    }

    /// <summary>The stored name and properties of a message (page and screen names go into the properties).</summary>
    internal static (string Name, Value Properties) StoredShape(CdpMessage message)
    {
        var properties = message.Properties.Kind == ValueKind.Object ? message.Properties : Value.Object([]);
        Value With(params (string Key, string? Value)[] extra)
        {
            var added = extra.Where(e => e.Value is not null && !properties.Properties!.ContainsKey(e.Key)).ToList();
            return added.Count == 0
                ? properties
                : Value.Object(properties.Properties!.Concat(added.Select(e => KeyValuePair.Create(e.Key, Value.String(e.Value)))));
        }

        return message.Kind switch
        {
            MessageKind.Track => (message.Event!, properties),
            MessageKind.Page => ("$page", With(("name", message.Event), ("category", message.Category))),
            MessageKind.Screen => ("$screen", With(("name", message.Event))),
            MessageKind.Group => ("$group", With(("groupId", message.GroupId))),
            MessageKind.Alias => ("$alias", With(("previousId", message.PreviousId))),
            _ => ("$identify", properties),
        };
    }
}
