using TinyCdp.Identity;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Evaluation;

/// <summary>A person's profile as the admin API shows it, with values evaluated at <see cref="AsOf"/>.</summary>
public sealed record ProfileView
{
    /// <summary>The internal profile id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the profile was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The instant the values are for.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The identifiers (emails as hashes).</summary>
    public required IReadOnlyList<Identifier> Identifiers { get; init; }

    /// <summary>The profile properties.</summary>
    public required Value Properties { get; init; }

    /// <summary>Trait values at <see cref="AsOf"/>, in catalog order.</summary>
    public required IReadOnlyList<KeyValuePair<string, Value>> Traits { get; init; }

    /// <summary>Segment membership at <see cref="AsOf"/>, with the stored <c>since</c> when known.</summary>
    public required IReadOnlyList<SegmentState> Segments { get; init; }

    /// <summary>Profiles merged into this one.</summary>
    public required IReadOnlyList<StoredMerge> Merges { get; init; }

    /// <summary>The most recent messages (newest first, at most 20) with event time ≤ <see cref="AsOf"/>.</summary>
    public required IReadOnlyList<StoredEvent> RecentEvents { get; init; }

    /// <summary>Activity counts at <see cref="AsOf"/>: total, last 24 hours, 7 days, 30 days.</summary>
    public required (long Total, long Last24Hours, long Last7Days, long Last30Days) EventCounts { get; init; }
}
