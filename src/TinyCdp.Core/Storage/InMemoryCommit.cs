using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>
/// The in-memory store's statements for each section of a transaction (<see cref="IStoreTransactionVisitor"/>),
/// applied to its <see cref="InMemoryState"/> under the store's lock, and the checks that need that state.
/// </summary>
/// <remarks>
/// Everything that can make a commit fail is checked by <see cref="Check"/> before the walk starts, so
/// applying cannot fail halfway and a rejected transaction leaves the state exactly as it was.
/// </remarks>
internal sealed class InMemoryCommit(InMemoryState state) : IStoreTransactionVisitor
{
    private readonly List<long> _cursors = [];

    /// <summary>The cursors assigned to the transaction's changes, in list order.</summary>
    public IReadOnlyList<long> Cursors => _cursors;

    // Checked against the state the earlier steps of the same transaction would produce: first what needs
    // no state (StoreTransaction.Validate, as every store does), then what does.
    public static void Check(InMemoryState state, StoreTransaction transaction)
    {
        transaction.Validate();
        var pendingMergedInto = new Dictionary<Guid, Guid?>();
        foreach (var profile in transaction.Profiles)
        {
            pendingMergedInto[profile.Id] = profile.MergedInto;
        }

        foreach (var merge in transaction.Merges)
        {
            var survivorMergedInto = pendingMergedInto.TryGetValue(merge.Survivor, out var pending)
                ? pending
                : state.Profiles.GetValueOrDefault(merge.Survivor)?.MergedInto;
            if (survivorMergedInto is not null)
            {
                throw new ArgumentException($"Profile {merge.Survivor} was absorbed by {survivorMergedInto} and cannot absorb {merge.Absorbed}.", nameof(transaction));
            }

            pendingMergedInto[merge.Absorbed] = merge.Survivor;
        }

        foreach (var storedEvent in transaction.Events)
        {
            if (state.Events.ContainsKey(storedEvent.Sequence))
            {
                throw new ArgumentException($"An event with sequence {storedEvent.Sequence} is already stored.", nameof(transaction));
            }
        }

        // A message id is remembered once within the dedupe window: remembering it again is a
        // duplicate the engine should have caught, so the whole commit is refused.
        var messageIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (messageId, _) in transaction.MessageIds)
        {
            if (state.MessageIds.ContainsKey(messageId) || !messageIds.Add(messageId))
            {
                throw new ArgumentException($"Message id '{messageId}' is already remembered.", nameof(transaction));
            }
        }

        var hashes = state.ApiKeys.Values.ToDictionary(k => k.Hash, k => k.Id, StringComparer.Ordinal);
        foreach (var key in transaction.ApiKeys)
        {
            if (hashes.TryGetValue(key.Hash, out var owner) && owner != key.Id)
            {
                throw new ArgumentException("Another API key already has that hash.", nameof(transaction));
            }

            hashes[key.Hash] = key.Id;
        }
    }

    public void ReplaceProfiles(IReadOnlyList<StoredProfile> profiles)
    {
        foreach (var profile in profiles)
        {
            state.SetProfile(profile with { CreatedAt = Instant(profile.CreatedAt) });
        }
    }

    public void ApplyMerges(IReadOnlyList<StoredMerge> merges)
    {
        foreach (var merge in merges)
        {
            state.ApplyMerge(merge with { At = Instant(merge.At) });
        }
    }

    public void AttachIdentifiers(IReadOnlyList<(Identifier Identifier, Guid ProfileId)> identifiers)
    {
        foreach (var (identifier, profileId) in identifiers)
        {
            state.AttachIdentifier(identifier, profileId);
        }
    }

    public void AppendEvents(IReadOnlyList<StoredEvent> events)
    {
        foreach (var storedEvent in events)
        {
            state.AddEvent(storedEvent with
            {
                Timestamp = Instant(storedEvent.Timestamp),
                ReceivedAt = Instant(storedEvent.ReceivedAt),
                OriginalTimestamp = storedEvent.OriginalTimestamp is { } original ? Instant(original) : null,
            });
        }
    }

    public void RememberMessageIds(IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)> messageIds)
    {
        foreach (var (messageId, receivedAt) in messageIds)
        {
            state.MessageIds[messageId] = Instant(receivedAt);
        }
    }

    public void ReplaceMemberships(IReadOnlyList<StoredMembership> memberships)
    {
        foreach (var membership in memberships)
        {
            state.SetMembership(membership with { Since = Instant(membership.Since), UpdatedAt = Instant(membership.UpdatedAt) });
        }
    }

    public void ReplaceTraitValues(IReadOnlyList<StoredTraitValue> traitValues)
    {
        foreach (var value in traitValues)
        {
            state.SetTraitValue(value with { UpdatedAt = Instant(value.UpdatedAt) });
        }
    }

    public void AppendChanges(IReadOnlyList<StoredChange> changes)
    {
        foreach (var change in changes)
        {
            var cursor = state.Changes.Count + 1L;
            var stored = change with { Cursor = cursor, At = Instant(change.At) };
            state.Changes.Add(stored);
            state.CountChange(stored);
            _cursors.Add(cursor);
        }
    }

    public void DeleteProfiles(IReadOnlyList<Guid> profileIds)
    {
        foreach (var profileId in profileIds)
        {
            state.DeleteProfile(profileId);
        }
    }

    public void AddSuppressions(IReadOnlyList<Identifier> identifiers)
    {
        foreach (var identifier in identifiers)
        {
            state.Suppressions.Add(identifier);
        }
    }

    public void ReplaceDefinitions(IReadOnlyList<StoredDefinition> definitions)
    {
        foreach (var definition in definitions)
        {
            state.Definitions[(definition.Kind, definition.Key)] =
                definition with { CreatedAt = Instant(definition.CreatedAt), UpdatedAt = Instant(definition.UpdatedAt) };
        }
    }

    public void DeleteDefinitions(IReadOnlyList<(DefinitionKind Kind, string Key)> definitions)
    {
        foreach (var deleted in definitions)
        {
            state.Definitions.Remove(deleted);
        }
    }

    public void AppendDefinitionChanges(IReadOnlyList<StoredDefinitionChange> changes)
    {
        foreach (var change in changes)
        {
            state.DefinitionHistory.Add(change with { At = Instant(change.At) });
        }
    }

    public void SetCatalogVersion(long version) => state.CatalogVersion = version;

    public void ReplaceApiKeys(IReadOnlyList<StoredApiKey> apiKeys)
    {
        foreach (var key in apiKeys)
        {
            state.ApiKeys[key.Id] = key with { CreatedAt = Instant(key.CreatedAt), RevokedAt = key.RevokedAt is { } revoked ? Instant(revoked) : null };
        }
    }

    public void ForgetMessageIdsBefore(DateTimeOffset before) => state.ForgetMessageIdsBefore(Instant(before));

    // What every store keeps of an instant: UTC, whole milliseconds (truncated toward the past).
    private static DateTimeOffset Instant(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
