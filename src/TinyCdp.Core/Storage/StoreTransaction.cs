namespace TinyCdp.Storage;

/// <summary>
/// Everything one group commit writes, applied by <see cref="ICdpStore.CommitAsync"/> atomically:
/// all of it, or (on any failure) none of it. The engine fills it; stores only apply it, in the
/// order of the members below.
/// </summary>
public sealed class StoreTransaction
{
    /// <summary>Profiles to insert or replace (by id).</summary>
    public List<StoredProfile> Profiles { get; } = [];

    /// <summary>
    /// Profiles absorbed by merges: move their events, identifiers and trait values to the survivor
    /// and set <see cref="StoredProfile.MergedInto"/> (also re-pointing profiles merged into the absorbed one).
    /// Applied after <see cref="Profiles"/>.
    /// </summary>
    public List<StoredMerge> Merges { get; } = [];

    /// <summary>Identifiers to attach (insert, or move to the given profile).</summary>
    public List<(Identifier Identifier, Guid ProfileId)> Identifiers { get; } = [];

    /// <summary>
    /// Messages to append. A message id may repeat across the events of all time (a message sent
    /// again after the dedupe window is a new message); within the window <see cref="MessageIds"/>
    /// keeps it unique.
    /// </summary>
    public List<StoredEvent> Events { get; } = [];

    /// <summary>
    /// Message ids to remember for deduplication, with the time they were received. Remembering an
    /// id that is already remembered (not yet forgotten) fails the whole commit: it is a duplicate.
    /// </summary>
    public List<(string MessageId, DateTimeOffset ReceivedAt)> MessageIds { get; } = [];

    /// <summary>Memberships to insert or replace (by profile and segment).</summary>
    public List<StoredMembership> Memberships { get; } = [];

    /// <summary>Trait values to insert or replace (by profile and trait).</summary>
    public List<StoredTraitValue> TraitValues { get; } = [];

    /// <summary>Change feed entries to append; the store assigns their cursors in list order.</summary>
    public List<StoredChange> Changes { get; } = [];

    /// <summary>Profiles to delete with everything they own (events, identifiers, memberships, trait values).</summary>
    public List<Guid> DeletedProfiles { get; } = [];

    /// <summary>Identifiers to refuse from now on (after a deletion with suppression).</summary>
    public List<Identifier> Suppressions { get; } = [];

    /// <summary>Definitions to insert or replace.</summary>
    public List<StoredDefinition> Definitions { get; } = [];

    /// <summary>Definitions to delete.</summary>
    public List<(DefinitionKind Kind, string Key)> DeletedDefinitions { get; } = [];

    /// <summary>Definition history entries to append.</summary>
    public List<StoredDefinitionChange> DefinitionChanges { get; } = [];

    /// <summary>The new catalog version, when it changes.</summary>
    public long? CatalogVersion { get; set; }

    /// <summary>API keys to insert or replace (by id); applied after <see cref="CatalogVersion"/>.</summary>
    public List<StoredApiKey> ApiKeys { get; } = [];

    /// <summary>Message ids received before this instant may be forgotten (the dedupe window).</summary>
    public DateTimeOffset? ForgetMessageIdsBefore { get; set; }

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty =>
        Profiles.Count == 0 && Merges.Count == 0 && Identifiers.Count == 0 && Events.Count == 0 && MessageIds.Count == 0 &&
        Memberships.Count == 0 && TraitValues.Count == 0 && Changes.Count == 0 && DeletedProfiles.Count == 0 &&
        Suppressions.Count == 0 && Definitions.Count == 0 && DeletedDefinitions.Count == 0 && DefinitionChanges.Count == 0 &&
        CatalogVersion is null && ApiKeys.Count == 0 && ForgetMessageIdsBefore is null;
}
