using TinyCdp.Aggregation;
using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Engine;

/// <summary>
/// Something only the writer does. Each completes its task after its commit (or its failure). It is
/// queued before the engine has started (so callers keep their order), and then either taken by the
/// writer or abandoned by its caller (the engine could not start) — never both.
/// </summary>
internal abstract class WriteOperation
{
    private int _state;

    /// <summary>The writer takes it; false when the caller abandoned it first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    /// <summary>The caller gives it up; false when the writer took it first (its outcome is then the answer).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
}

/// <summary>Messages to store, all or nothing (already validated).</summary>
internal sealed class IngestOperation(IReadOnlyList<CdpMessage> messages) : WriteOperation
{
    public IReadOnlyList<CdpMessage> Messages { get; } = messages;

    public TaskCompletionSource<BatchResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A definition change, compiled against the catalog at the time the writer takes it.</summary>
internal sealed class DefinitionOperation(DefinitionKind kind, string key, string? bodyJson, SaveMode mode, string? actor) : WriteOperation
{
    public DefinitionKind Kind { get; } = kind;

    public string Key { get; } = key;

    /// <summary>The new body; null to delete.</summary>
    public string? BodyJson { get; } = bodyJson;

    public SaveMode Mode { get; } = mode;

    public string? Actor { get; } = actor;

    public TaskCompletionSource<DefinitionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Deletes a profile (and optionally suppresses its identifiers).</summary>
internal sealed class DeleteOperation(Guid profileId, bool suppress) : WriteOperation
{
    public Guid ProfileId { get; } = profileId;

    public bool Suppress { get; } = suppress;

    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Re-evaluates profiles' memberships and traits at an instant: for the timer (cause time) and backfill (cause definition).</summary>
internal sealed class ReevaluateOperation(IReadOnlyList<Guid> profileIds, DateTimeOffset? at, ChangeCause cause) : WriteOperation
{
    public IReadOnlyList<Guid> ProfileIds { get; } = profileIds;

    /// <summary>The instant to evaluate at; null for the writer's now.</summary>
    public DateTimeOffset? At { get; } = at;

    public ChangeCause Cause { get; } = cause;

    /// <summary>What the backfill read and replayed ahead of the writer, if anything.</summary>
    public Prefetch? Prefetched { get; init; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A page of profiles the backfill read (and replayed) off the writer: the writer's commit count just
/// before the read, and the live profiles among those asked for (a profile committed since, or
/// prepared for another catalog or an older horizon, is read again by the writer).
/// </summary>
internal sealed record Prefetch(long CommitEpoch, IReadOnlyDictionary<Guid, PreparedProfile> Profiles);

/// <summary>A stored profile with its aggregators already rebuilt from its messages (which are not kept).</summary>
internal sealed record PreparedProfile(
    StoredProfile Row,
    IReadOnlyList<Identifier> Identifiers,
    IReadOnlyList<StoredMembership> Memberships,
    IReadOnlyList<StoredTraitValue> TraitValues,
    ProfileProperties Properties,
    ProfileAggregates Aggregates,
    CatalogSnapshot Catalog,
    DateTimeOffset Horizon);
