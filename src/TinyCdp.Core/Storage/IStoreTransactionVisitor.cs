using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>
/// A store's statements for each section of a <see cref="StoreTransaction"/>: one member per section, which
/// <see cref="StoreTransaction.Walk"/> calls in the contract's order, only for sections that have something
/// to write.
/// </summary>
/// <remarks>
/// A store supplies what each section does (prepared statements, commands of a batch, updates of its
/// memory); the order and the skipping of empty sections are the walk's. Each member sees what the earlier
/// sections wrote. The lists are the transaction's own: read them during the call, do not keep or change them.
/// </remarks>
public interface IStoreTransactionVisitor
{
    /// <summary>Inserts profiles or replaces them by id (<see cref="StoreTransaction.Profiles"/>).</summary>
    void ReplaceProfiles(IReadOnlyList<StoredProfile> profiles);

    /// <summary>Applies merges in order (<see cref="StoreTransaction.Merges"/>).</summary>
    void ApplyMerges(IReadOnlyList<StoredMerge> merges);

    /// <summary>Attaches identifiers to profiles, moving those owned by another (<see cref="StoreTransaction.Identifiers"/>).</summary>
    void AttachIdentifiers(IReadOnlyList<(Identifier Identifier, Guid ProfileId)> identifiers);

    /// <summary>Appends messages (<see cref="StoreTransaction.Events"/>).</summary>
    void AppendEvents(IReadOnlyList<StoredEvent> events);

    /// <summary>Remembers message ids for deduplication (<see cref="StoreTransaction.MessageIds"/>).</summary>
    void RememberMessageIds(IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)> messageIds);

    /// <summary>Inserts memberships or replaces them by profile and segment (<see cref="StoreTransaction.Memberships"/>).</summary>
    void ReplaceMemberships(IReadOnlyList<StoredMembership> memberships);

    /// <summary>Inserts trait values or replaces them by profile and trait (<see cref="StoreTransaction.TraitValues"/>).</summary>
    void ReplaceTraitValues(IReadOnlyList<StoredTraitValue> traitValues);

    /// <summary>Appends change-feed entries, assigning their cursors in list order (<see cref="StoreTransaction.Changes"/>).</summary>
    void AppendChanges(IReadOnlyList<StoredChange> changes);

    /// <summary>Deletes profiles with everything they own (<see cref="StoreTransaction.DeletedProfiles"/>).</summary>
    void DeleteProfiles(IReadOnlyList<Guid> profileIds);

    /// <summary>Adds identifiers to refuse (<see cref="StoreTransaction.Suppressions"/>).</summary>
    void AddSuppressions(IReadOnlyList<Identifier> identifiers);

    /// <summary>Inserts definitions or replaces them by kind and key (<see cref="StoreTransaction.Definitions"/>).</summary>
    void ReplaceDefinitions(IReadOnlyList<StoredDefinition> definitions);

    /// <summary>Deletes definitions (<see cref="StoreTransaction.DeletedDefinitions"/>).</summary>
    void DeleteDefinitions(IReadOnlyList<(DefinitionKind Kind, string Key)> definitions);

    /// <summary>Appends definition history entries (<see cref="StoreTransaction.DefinitionChanges"/>).</summary>
    void AppendDefinitionChanges(IReadOnlyList<StoredDefinitionChange> changes);

    /// <summary>Sets the catalog version (<see cref="StoreTransaction.CatalogVersion"/>).</summary>
    void SetCatalogVersion(long version);

    /// <summary>Inserts API keys or replaces them by id (<see cref="StoreTransaction.ApiKeys"/>).</summary>
    void ReplaceApiKeys(IReadOnlyList<StoredApiKey> apiKeys);

    /// <summary>Forgets message ids received before <paramref name="before"/> (<see cref="StoreTransaction.ForgetMessageIdsBefore"/>).</summary>
    void ForgetMessageIdsBefore(DateTimeOffset before);
}
