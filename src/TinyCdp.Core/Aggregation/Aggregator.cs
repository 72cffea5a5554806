using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// Maintains one <see cref="AggregateRequirement"/>'s value for one profile, incrementally, from
/// the events that match it. Matching (event name and <c>where(...)</c>) happens before
/// <see cref="Add"/>: an aggregator sees only matching events.
/// </summary>
/// <remarks>
/// <para>
/// Time: an event at <c>t</c> is in window <c>W</c> at <c>now</c> iff <c>now − W &lt; t ≤ now</c>;
/// for <c>all</c>, iff <c>t ≤ now</c>. Events with <c>t &gt; now</c> (future-dated) count nowhere
/// yet but are kept, and count once <c>now</c> reaches them.
/// </para>
/// <para>
/// Order: events may be added in any time order, and the results depend only on the events, not on
/// the order they were added in, with one exception: among events with exactly the same time, the
/// one added later counts as later (it is <c>last</c>'s value, and not <c>first</c>'s). A caller
/// that rebuilds an aggregator from storage should add equal-time events in receive order.
/// </para>
/// <para>
/// Evaluation never throws and allocates nothing (except <c>distinct</c> over a finite window,
/// which reuses a set). Instances are not thread-safe.
/// </para>
/// </remarks>
internal abstract class Aggregator
{
    /// <summary>Creates the aggregator for one requirement.</summary>
    /// <param name="requirement">What to maintain.</param>
    protected Aggregator(AggregateRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        Requirement = requirement;
    }

    /// <summary>The requirement this aggregator maintains.</summary>
    public AggregateRequirement Requirement { get; }

    /// <summary>
    /// The number of time-indexed entries this aggregator keeps (events, plus one entry per active
    /// day for <c>unique_days</c> and per not-yet-folded distinct value for <c>distinct(…, all)</c>):
    /// the measure that <see cref="Compact"/> bounds.
    /// </summary>
    public abstract int RetainedEntries { get; }

    /// <summary>
    /// Creates the aggregator for <paramref name="requirement"/>. The requirement's window is used
    /// by count, unique_days, sum, avg, min, max and distinct, and ignored by first, last,
    /// first_seen and last_seen (which look at every event).
    /// </summary>
    /// <param name="requirement">What to maintain.</param>
    /// <param name="timeZone">The engine time zone, which decides calendar days for <c>unique_days</c>; UTC when null.</param>
    /// <exception cref="ArgumentException">
    /// The requirement needs a property and has none, or is a <c>unique_days</c> whose window is not a whole number of days.
    /// </exception>
    public static Aggregator Create(AggregateRequirement requirement, TimeZoneInfo? timeZone = null)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        return requirement.Kind switch
        {
            AggregateKind.Count => new CountAggregator(requirement),
            AggregateKind.UniqueDays => new UniqueDaysAggregator(requirement, CalendarDays.For(timeZone ?? TimeZoneInfo.Utc)),
            AggregateKind.Sum => new SumAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.Avg => new AverageAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.Min => new MinAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.Max => new MaxAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.Distinct when requirement.Window.IsAll => new DistinctAllAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.Distinct => new DistinctAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.First => new FirstAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.FirstSeen => new FirstAggregator(requirement, property: null),
            AggregateKind.Last => new LastAggregator(requirement, PropertyOf(requirement)),
            AggregateKind.LastSeen => new LastAggregator(requirement, property: null),
            _ => throw new ArgumentException($"Unknown aggregate kind {requirement.Kind}.", nameof(requirement)),
        };
    }

    /// <summary>Adds one matching event. Its time may be before, between or after those added so far.</summary>
    public abstract void Add(in AggregateEvent e);

    /// <summary>
    /// Whether <see cref="Add"/> would ignore an event at <paramref name="ticks"/> (UTC) whatever it
    /// carries: after <see cref="Compact"/>, a finite window ignores events too old to be in it again.
    /// False unless certain.
    /// </summary>
    public virtual bool Ignores(long ticks) => false;

    /// <summary>The aggregate's value at <paramref name="now"/>.</summary>
    public abstract Value Evaluate(DateTimeOffset now);

    /// <summary>
    /// How many events the value at <paramref name="now"/> was computed from, for explanations:
    /// the events in the window (for sum, avg, min and max only those whose property is a number;
    /// for distinct only those where it is not null); for unique_days the events with
    /// <c>t ≤ now</c> on the days in range; for first, last and the seen times every event with
    /// <c>t ≤ now</c>.
    /// </summary>
    public abstract long CountedEvents(DateTimeOffset now);

    /// <summary>
    /// The earliest instant after <paramref name="now"/> at which <see cref="Evaluate"/> could
    /// return something else with no new event (an event leaving its window, a future-dated event
    /// arriving, a calendar day ending); null when nothing can change. Guaranteed: for every
    /// <c>x</c> in <c>[now, NextChange(now))</c>, <c>Evaluate(x)</c> equals <c>Evaluate(now)</c>.
    /// The value need not actually change at the instant returned.
    /// </summary>
    public abstract DateTimeOffset? NextChange(DateTimeOffset now);

    /// <summary>
    /// Drops or folds state that no evaluation at or after <paramref name="horizon"/> needs. The
    /// caller promises never again to call <see cref="Evaluate"/>, <see cref="CountedEvents"/> or
    /// <see cref="NextChange"/> with <c>now &lt; horizon</c> (results would be unspecified). Events
    /// added later that are too old to matter are ignored (or folded, for <c>all</c>). A horizon
    /// not after an earlier one does nothing.
    /// </summary>
    public abstract void Compact(DateTimeOffset horizon);

    /// <summary>The instant at UTC ticks <paramref name="ticks"/>; null beyond <see cref="DateTimeOffset.MaxValue"/> (never).</summary>
    protected static DateTimeOffset? InstantOrNever(long ticks) =>
        ticks <= DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private static PropertyPath PropertyOf(AggregateRequirement requirement) =>
        requirement.Property ?? throw new ArgumentException($"The {requirement.Kind} aggregate needs a property.", nameof(requirement));
}
