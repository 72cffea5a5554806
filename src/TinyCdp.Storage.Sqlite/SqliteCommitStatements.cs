using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.Sqlite.SqliteCommitSql;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// The SQLite store's statements for each section of a transaction (<see cref="IStoreTransactionVisitor"/>),
/// run on the write connection inside its open transaction.
/// </summary>
/// <remarks>
/// Each statement kind is prepared once per commit (only when its section has rows) and executed once per
/// row, its values bound by position (see <see cref="SqliteStatement"/>): no per-row reflection, parameter
/// objects, name lookups or boxing. Every statement is disposed (reset and finalized) before its member
/// returns or throws, so the transaction can commit or roll back. Multi-row <c>INSERT ... VALUES</c> lists
/// for events and message ids were measured and did not help (no faster at 4 rows a statement, slower
/// beyond): what a row costs is SQLite's own work.
/// </remarks>
internal sealed class SqliteCommitStatements(SqliteConnection connection, CancellationToken cancellationToken) : IStoreTransactionVisitor
{
    private readonly List<long> _cursors = [];

    /// <summary>The cursors the database assigned to the transaction's changes, in list order.</summary>
    public List<long> Cursors => _cursors;

    public void ReplaceProfiles(IReadOnlyList<StoredProfile> profiles)
    {
        using var upsert = Prepare(UpsertProfile, ProfileParameters);
        foreach (var profile in profiles)
        {
            upsert.SetId(0, profile.Id);
            upsert.SetInt64(1, Instant(profile.CreatedAt));
            upsert.SetText(2, profile.PropertiesJson);
            upsert.SetText(3, profile.PropertyTimesJson);
            upsert.SetId(4, profile.MergedInto);
            upsert.SetInt64(5, profile.Version);
            upsert.Execute();
        }
    }

    // Refused when the survivor was itself absorbed (by then, earlier rows of the transaction included):
    // it would break "an absorbed id resolves in one hop".
    public void ApplyMerges(IReadOnlyList<StoredMerge> merges)
    {
        using var survivorMergedInto = Prepare(SelectSurvivorMergedInto, SurvivorParameter);
        using var apply = Prepare(ApplyMerge, MergeParameters);
        foreach (var merge in merges)
        {
            survivorMergedInto.SetId(0, merge.Survivor);
            if (survivorMergedInto.ExecuteBlobs() is [{ } absorbedBy, ..])
            {
                throw new ArgumentException(
                    $"Profile {merge.Survivor} was absorbed by {Id(absorbedBy)} and cannot absorb {merge.Absorbed}.", "changes");
            }

            apply.SetId(0, merge.Survivor);
            apply.SetId(1, merge.Absorbed);
            apply.SetInt64(2, Instant(merge.At));
            apply.SetText(3, merge.MessageId);
            apply.Execute();
        }
    }

    public void AttachIdentifiers(IReadOnlyList<(Identifier Identifier, Guid ProfileId)> identifiers)
    {
        using var upsert = Prepare(UpsertIdentifier, IdentifierParameters);
        foreach (var (identifier, profileId) in identifiers)
        {
            upsert.SetInt64(0, Code(identifier.Kind));
            upsert.SetText(1, identifier.Value);
            upsert.SetId(2, profileId);
            upsert.Execute();
        }
    }

    public void AppendEvents(IReadOnlyList<StoredEvent> events)
    {
        var last = long.MinValue;
        using (var insert = Prepare(InsertEvent, EventParameters))
        {
            foreach (var storedEvent in events)
            {
                insert.SetInt64(0, storedEvent.Sequence);
                insert.SetText(1, storedEvent.MessageId);
                insert.SetId(2, storedEvent.ProfileId);
                insert.SetInt64(3, Code(storedEvent.Kind));
                insert.SetText(4, storedEvent.Name);
                insert.SetInt64(5, Instant(storedEvent.Timestamp));
                insert.SetInt64(6, Instant(storedEvent.ReceivedAt));
                insert.SetInt64(7, Instant(storedEvent.OriginalTimestamp));
                insert.SetText(8, storedEvent.PropertiesJson);
                insert.SetText(9, storedEvent.TraitsJson);
                insert.Execute();
                last = Math.Max(last, storedEvent.Sequence);
            }
        }

        using var advance = Prepare(AdvanceLastSequence, LastParameter);
        advance.SetInt64(0, last);
        advance.Execute();
    }

    public void RememberMessageIds(IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)> messageIds)
    {
        using var insert = Prepare(UpsertMessageId, MessageIdParameters);
        foreach (var (messageId, receivedAt) in messageIds)
        {
            insert.SetText(0, messageId);
            insert.SetInt64(1, Instant(receivedAt));
            insert.Execute();
        }
    }

    public void ReplaceMemberships(IReadOnlyList<StoredMembership> memberships)
    {
        using var upsert = Prepare(UpsertMembership, MembershipParameters);
        foreach (var membership in memberships)
        {
            upsert.SetId(0, membership.ProfileId);
            upsert.SetText(1, membership.Segment);
            upsert.SetBoolean(2, membership.InSegment);
            upsert.SetInt64(3, Instant(membership.Since));
            upsert.SetInt64(4, Instant(membership.UpdatedAt));
            upsert.Execute();
        }
    }

    public void ReplaceTraitValues(IReadOnlyList<StoredTraitValue> traitValues)
    {
        using var upsert = Prepare(UpsertTraitValue, TraitValueParameters);
        foreach (var value in traitValues)
        {
            upsert.SetId(0, value.ProfileId);
            upsert.SetText(1, value.Trait);
            upsert.SetText(2, value.ValueJson);
            upsert.SetInt64(3, Instant(value.UpdatedAt));
            upsert.Execute();
        }
    }

    public void AppendChanges(IReadOnlyList<StoredChange> changes)
    {
        using var insert = Prepare(InsertChange, ChangeParameters);
        foreach (var change in changes)
        {
            insert.SetId(0, change.ProfileId);
            insert.SetText(1, change.UserId);
            insert.SetText(2, change.Segment);
            insert.SetBoolean(3, change.Entered);
            insert.SetInt64(4, Instant(change.At));
            insert.SetInt64(5, Code(change.Cause));
            _cursors.Add(insert.ExecuteInt64());
        }
    }

    public void DeleteProfiles(IReadOnlyList<Guid> profileIds)
    {
        using var selectDoomed = Prepare(SelectDoomedProfiles, IdParameter);
        using var delete = Prepare(DeleteProfile, IdParameter);
        foreach (var profileId in profileIds)
        {
            selectDoomed.SetId(0, profileId);
            foreach (var doomed in selectDoomed.ExecuteBlobs())
            {
                delete.SetBlob(0, doomed);
                delete.Execute();
            }
        }
    }

    public void AddSuppressions(IReadOnlyList<Identifier> identifiers)
    {
        using var insert = Prepare(InsertSuppression, KindValueParameters);
        foreach (var identifier in identifiers)
        {
            insert.SetInt64(0, Code(identifier.Kind));
            insert.SetText(1, identifier.Value);
            insert.Execute();
        }
    }

    public void ReplaceDefinitions(IReadOnlyList<StoredDefinition> definitions)
    {
        using var upsert = Prepare(UpsertDefinition, DefinitionParameters);
        foreach (var definition in definitions)
        {
            upsert.SetInt64(0, Code(definition.Kind));
            upsert.SetText(1, definition.Key);
            upsert.SetText(2, definition.BodyJson);
            upsert.SetInt64(3, definition.Version);
            upsert.SetInt64(4, Instant(definition.CreatedAt));
            upsert.SetInt64(5, Instant(definition.UpdatedAt));
            upsert.Execute();
        }
    }

    public void DeleteDefinitions(IReadOnlyList<(DefinitionKind Kind, string Key)> definitions)
    {
        using var delete = Prepare(DeleteDefinition, KindKeyParameters);
        foreach (var (kind, key) in definitions)
        {
            delete.SetInt64(0, Code(kind));
            delete.SetText(1, key);
            delete.Execute();
        }
    }

    public void AppendDefinitionChanges(IReadOnlyList<StoredDefinitionChange> changes)
    {
        using var insert = Prepare(InsertDefinitionChange, DefinitionChangeParameters);
        foreach (var change in changes)
        {
            insert.SetInt64(0, change.Version);
            insert.SetInt64(1, Code(change.Kind));
            insert.SetText(2, change.Key);
            insert.SetText(3, change.Actor);
            insert.SetInt64(4, Instant(change.At));
            insert.SetText(5, change.BeforeJson);
            insert.SetText(6, change.AfterJson);
            insert.Execute();
        }
    }

    public void SetCatalogVersion(long version)
    {
        using var update = Prepare(SqliteCommitSql.SetCatalogVersion, VersionParameter);
        update.SetInt64(0, version);
        update.Execute();
    }

    public void ReplaceApiKeys(IReadOnlyList<StoredApiKey> apiKeys)
    {
        using var upsert = Prepare(UpsertApiKey, ApiKeyParameters);
        foreach (var key in apiKeys)
        {
            ArgumentNullException.ThrowIfNull(key);
            upsert.SetText(0, key.Id ?? throw new ArgumentException("An API key needs an id.", "changes"));
            upsert.SetText(1, key.Hash ?? throw new ArgumentException("An API key needs a hash.", "changes"));
            upsert.SetInt64(2, Code(key.Kind));
            upsert.SetText(3, key.Description);
            upsert.SetInt64(4, Instant(key.CreatedAt));
            upsert.SetInt64(5, Instant(key.RevokedAt));
            upsert.Execute();
        }
    }

    public void ForgetMessageIdsBefore(DateTimeOffset before)
    {
        using var forget = Prepare(ForgetMessageIds, BeforeParameter);
        forget.SetInt64(0, Instant(before));
        forget.Execute();
    }

    private SqliteStatement Prepare(string sql, string[] parameterNames) => new(connection, sql, parameterNames, cancellationToken);
}
