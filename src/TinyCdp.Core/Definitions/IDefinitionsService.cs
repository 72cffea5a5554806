using TinyCdp.Storage;

namespace TinyCdp.Definitions;

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

    /// <summary>
    /// Evaluates a draft trait expression, segment rule or flag rule (<paramref name="kind"/>) over a
    /// uniformly random sample of stored profiles at the current instant, as if it were saved under a new
    /// key: compiled against the current catalog exactly as a save would, so a draft that would be refused
    /// comes back with the save's <see cref="DefinitionPreview.Error"/>. Writes nothing and leaves the
    /// profile cache as it was. <paramref name="sampleSize"/> is from 1 to 10,000; flag rules see no
    /// <c>context.*</c> attributes.
    /// </summary>
    Task<DefinitionPreview> PreviewAsync(DefinitionKind kind, string expression, int sampleSize = 10_000, CancellationToken cancellationToken = default);

    /// <summary>Completes when the latest backfill has finished.</summary>
    Task WaitForBackfillAsync(CancellationToken cancellationToken = default);
}
