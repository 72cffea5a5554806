using TinyCdp.Definitions;
using TinyCdp.Identity;

namespace TinyCdp.Storage;

/// <summary>
/// Everything one group commit writes, applied by <see cref="ICdpStore.CommitAsync"/> atomically:
/// all of it, or (on any failure) none of it. The engine fills it; stores only apply it, section by
/// section, in the order <see cref="Walk"/> visits them (the order of the members below).
/// </summary>
/// <remarks>
/// The rows (<see cref="StoredProfile"/>, <see cref="StoredEvent"/> and the other <c>Stored*</c> records) are
/// plain records so every store maps them the same way; property bags are JSON text (objects), instants are UTC.
/// </remarks>
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

    /// <summary>True when there is nothing to write: <see cref="Walk"/> would visit no section.</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (var section in Sections)
            {
                if (section.HasRows(this))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Hands each section that has something to write to <paramref name="visitor"/>, in the contract's
    /// order (the order of the members above), and skips the empty ones. Every store applies a
    /// transaction through this walk, so the order is stated once, here.
    /// </summary>
    /// <remarks>
    /// Each section sees what the earlier ones wrote: a merge finds the profiles written before it; an
    /// identifier attached, or an event appended, after the merges is not moved again by them; a deletion
    /// removes what the same transaction wrote for the profile, except its change-feed entries and
    /// remembered message ids; API keys follow the catalog version; forgetting old message ids comes last.
    /// The walk does not check the transaction (see <see cref="Validate"/>).
    /// </remarks>
    /// <param name="visitor">The store's statements for each section.</param>
    public void Walk(IStoreTransactionVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        foreach (var section in Sections)
        {
            if (section.HasRows(this))
            {
                section.Visit(this, visitor);
            }
        }
    }

    /// <summary>
    /// Checks what can be checked without the store's state, the same way for every store: no null
    /// where a value is required, every enum value defined, no merge of a profile into itself, no
    /// event sequence twice. Stores call it before applying anything; what needs their state (a stored
    /// sequence, a remembered message id, a merge chain, a key hash) they check themselves.
    /// </summary>
    /// <exception cref="ArgumentException">The transaction is malformed; the message names what.</exception>
    public void Validate()
    {
        foreach (var profile in Profiles)
        {
            Require(profile, nameof(Profiles));
            Require(profile.PropertiesJson, nameof(StoredProfile.PropertiesJson));
            Require(profile.PropertyTimesJson, nameof(StoredProfile.PropertyTimesJson));
        }

        foreach (var merge in Merges)
        {
            Require(merge, nameof(Merges));
            Require(merge.MessageId, nameof(StoredMerge.MessageId));
            if (merge.Survivor == merge.Absorbed)
            {
                throw new ArgumentException($"Profile {merge.Survivor} cannot absorb itself.", "transaction");
            }
        }

        foreach (var (identifier, _) in Identifiers)
        {
            Require(identifier.Value, nameof(Identifier.Value));
            RequireDefined(identifier.Kind);
        }

        var sequences = new HashSet<long>();
        foreach (var storedEvent in Events)
        {
            Require(storedEvent, nameof(Events));
            Require(storedEvent.MessageId, nameof(StoredEvent.MessageId));
            Require(storedEvent.Name, nameof(StoredEvent.Name));
            Require(storedEvent.PropertiesJson, nameof(StoredEvent.PropertiesJson));
            RequireDefined(storedEvent.Kind);
            if (!sequences.Add(storedEvent.Sequence))
            {
                throw new ArgumentException($"An event with sequence {storedEvent.Sequence} is already stored.", "transaction");
            }
        }

        foreach (var (messageId, _) in MessageIds)
        {
            Require(messageId, "MessageId");
        }

        foreach (var membership in Memberships)
        {
            Require(membership, nameof(Memberships));
            Require(membership.Segment, nameof(StoredMembership.Segment));
        }

        foreach (var value in TraitValues)
        {
            Require(value, nameof(TraitValues));
            Require(value.Trait, nameof(StoredTraitValue.Trait));
            Require(value.ValueJson, nameof(StoredTraitValue.ValueJson));
        }

        foreach (var change in Changes)
        {
            Require(change, nameof(Changes));
            Require(change.Segment, nameof(StoredChange.Segment));
            RequireDefined(change.Cause);
        }

        foreach (var identifier in Suppressions)
        {
            Require(identifier.Value, nameof(Identifier.Value));
            RequireDefined(identifier.Kind);
        }

        foreach (var definition in Definitions)
        {
            Require(definition, nameof(Definitions));
            Require(definition.Key, nameof(StoredDefinition.Key));
            Require(definition.BodyJson, nameof(StoredDefinition.BodyJson));
            RequireDefined(definition.Kind);
        }

        foreach (var (kind, key) in DeletedDefinitions)
        {
            Require(key, "Key");
            RequireDefined(kind);
        }

        foreach (var change in DefinitionChanges)
        {
            Require(change, nameof(DefinitionChanges));
            Require(change.Key, nameof(StoredDefinitionChange.Key));
            RequireDefined(change.Kind);
        }

        foreach (var key in ApiKeys)
        {
            Require(key, nameof(ApiKeys));
            Require(key.Id, nameof(StoredApiKey.Id));
            Require(key.Hash, nameof(StoredApiKey.Hash));
            RequireDefined(key.Kind);
        }
    }

    // The contract's order, stated once: the walk visits the sections in this order, and a transaction is
    // empty when none of them has rows. A new kind of row is a new member above, a line here and a member of
    // IStoreTransactionVisitor (which every store must then implement).
    private static readonly (Func<StoreTransaction, bool> HasRows, Action<StoreTransaction, IStoreTransactionVisitor> Visit)[] Sections =
    [
        Rows(t => t.Profiles, (v, rows) => v.ReplaceProfiles(rows)),
        Rows(t => t.Merges, (v, rows) => v.ApplyMerges(rows)),
        Rows(t => t.Identifiers, (v, rows) => v.AttachIdentifiers(rows)),
        Rows(t => t.Events, (v, rows) => v.AppendEvents(rows)),
        Rows(t => t.MessageIds, (v, rows) => v.RememberMessageIds(rows)),
        Rows(t => t.Memberships, (v, rows) => v.ReplaceMemberships(rows)),
        Rows(t => t.TraitValues, (v, rows) => v.ReplaceTraitValues(rows)),
        Rows(t => t.Changes, (v, rows) => v.AppendChanges(rows)),
        Rows(t => t.DeletedProfiles, (v, rows) => v.DeleteProfiles(rows)),
        Rows(t => t.Suppressions, (v, rows) => v.AddSuppressions(rows)),
        Rows(t => t.Definitions, (v, rows) => v.ReplaceDefinitions(rows)),
        Rows(t => t.DeletedDefinitions, (v, rows) => v.DeleteDefinitions(rows)),
        Rows(t => t.DefinitionChanges, (v, rows) => v.AppendDefinitionChanges(rows)),
        Value(t => t.CatalogVersion, (v, version) => v.SetCatalogVersion(version)),
        Rows(t => t.ApiKeys, (v, rows) => v.ReplaceApiKeys(rows)),
        Value(t => t.ForgetMessageIdsBefore, (v, before) => v.ForgetMessageIdsBefore(before)),
    ];

    private static (Func<StoreTransaction, bool>, Action<StoreTransaction, IStoreTransactionVisitor>) Rows<TRow>(
        Func<StoreTransaction, List<TRow>> rows, Action<IStoreTransactionVisitor, List<TRow>> visit) =>
        (transaction => rows(transaction).Count > 0, (transaction, visitor) => visit(visitor, rows(transaction)));

    private static (Func<StoreTransaction, bool>, Action<StoreTransaction, IStoreTransactionVisitor>) Value<TValue>(
        Func<StoreTransaction, TValue?> value, Action<IStoreTransactionVisitor, TValue> visit)
        where TValue : struct =>
        (transaction => value(transaction) is not null, (transaction, visitor) => visit(visitor, value(transaction).GetValueOrDefault()));

    private static void Require(object? value, string what)
    {
        if (value is null)
        {
            throw new ArgumentException($"The transaction has a null {what}.", "transaction");
        }
    }

    private static void RequireDefined<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException("transaction", value, $"Unknown {typeof(TEnum).Name} value.");
        }
    }
}
