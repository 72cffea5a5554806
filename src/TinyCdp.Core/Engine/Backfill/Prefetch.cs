using TinyCdp.Engine.Cache;

namespace TinyCdp.Engine.Backfill;

/// <summary>
/// A page of profiles the backfill read (and replayed) off the writer: the writer's commit count just
/// before the read, and the live profiles among those asked for (a profile committed since, or
/// prepared for another catalog or an older horizon, is read again by the writer).
/// </summary>
internal sealed record Prefetch(long CommitEpoch, IReadOnlyDictionary<Guid, PreparedProfile> Profiles);
