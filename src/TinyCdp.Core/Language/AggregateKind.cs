namespace TinyCdp.Language;

/// <summary>What an aggregate computes over the events of one selector.</summary>
internal enum AggregateKind
{
    /// <summary>Events in the window (number).</summary>
    Count,

    /// <summary>Distinct calendar days among the last N with at least one event (number, at most N).</summary>
    UniqueDays,

    /// <summary>Sum of a numeric property in the window (0 when none).</summary>
    Sum,

    /// <summary>Average of a numeric property in the window (null when none).</summary>
    Avg,

    /// <summary>Smallest numeric value of a property in the window (null when none).</summary>
    Min,

    /// <summary>Largest numeric value of a property in the window (null when none).</summary>
    Max,

    /// <summary>Distinct values of a property in the window (number).</summary>
    Distinct,

    /// <summary>The property's value on the earliest event (any; null when none).</summary>
    First,

    /// <summary>The property's value on the latest event (any; null when none).</summary>
    Last,

    /// <summary>The time of the earliest event, as Unix milliseconds (null when none).</summary>
    FirstSeen,

    /// <summary>The time of the latest event, as Unix milliseconds (null when none).</summary>
    LastSeen,
}
