using TinyCdp.Storage;

namespace TinyCdp.Definitions;

/// <summary>How a save treats an existing definition with the same key.</summary>
public enum SaveMode
{
    /// <summary>Create or replace.</summary>
    Upsert,

    /// <summary>Create only: an existing key is an error (<c>already_exists</c>).</summary>
    Create,

    /// <summary>Replace only: a missing key is an error (<c>not_found</c>).</summary>
    Update,
}

/// <summary>The outcome of a save or delete.</summary>
/// <param name="Error">Why it was refused; null on success. Nothing changed when set.</param>
/// <param name="Code">The kind of refusal, when refused.</param>
/// <param name="Version">The catalog version after the change (the current one when refused).</param>
public sealed record DefinitionResult(DefinitionError? Error, TinyCdpErrorCode? Code, long Version)
{
    /// <summary>True when the change was saved.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Progress of bringing stored values and memberships up to date after a definition change.</summary>
/// <param name="State"><c>idle</c>, <c>running</c> or <c>done</c>.</param>
/// <param name="Done">Profiles processed.</param>
/// <param name="Total">Profiles to process.</param>
/// <param name="CatalogVersion">The catalog version being backfilled.</param>
public sealed record BackfillStatus(string State, long Done, long Total, long CatalogVersion);

/// <summary>Saves, deletes and lists traits, segments and flags. A saved definition is live for every read that starts after the save returns.</summary>
public interface IDefinitionsService
{
    /// <summary>The current compiled catalog.</summary>
    CatalogSnapshot Catalog { get; }

    /// <summary>The progress of the latest backfill.</summary>
    BackfillStatus Backfill { get; }

    /// <summary>Saves a trait.</summary>
    Task<DefinitionResult> SaveTraitAsync(TraitDefinition trait, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Saves a segment.</summary>
    Task<DefinitionResult> SaveSegmentAsync(SegmentDefinition segment, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Saves a flag.</summary>
    Task<DefinitionResult> SaveFlagAsync(FlagDefinition flag, SaveMode mode = SaveMode.Upsert, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a definition; refused with the list of dependents when others read it.</summary>
    Task<DefinitionResult> DeleteAsync(DefinitionKind kind, string key, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>The change history, newest first.</summary>
    Task<IReadOnlyList<StoredDefinitionChange>> GetHistoryAsync(DefinitionKind? kind = null, string? key = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Completes when the latest backfill has finished.</summary>
    Task WaitForBackfillAsync(CancellationToken cancellationToken = default);
}
