namespace TinyCdp.Language;

/// <summary>
/// An aggregate window: a whole number of minutes, hours, days or weeks, or <c>all</c>.
/// An event at <c>t</c> is in the window at <c>now</c> iff <c>now − Length &lt; t ≤ now</c>; for
/// <c>all</c>, iff <c>t ≤ now</c>.
/// </summary>
internal readonly record struct Window
{
    /// <summary>Creates a finite window.</summary>
    public Window(long amount, DurationUnit unit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        Amount = amount;
        Unit = unit;
    }

    /// <summary>Every retained event.</summary>
    public static Window All => default;

    /// <summary>True for <c>all</c>.</summary>
    public bool IsAll => Amount == 0;

    /// <summary>The number of units (0 for <c>all</c>).</summary>
    public long Amount { get; }

    /// <summary>The unit.</summary>
    public DurationUnit Unit { get; }

    /// <summary>The window's length; <see cref="TimeSpan.MaxValue"/> for <c>all</c>.</summary>
    public TimeSpan Length => IsAll ? TimeSpan.MaxValue : TimeSpan.FromTicks(checked(Amount * UnitTicks(Unit)));

    /// <summary>The length of one unit.</summary>
    public static long UnitTicks(DurationUnit unit) => unit switch
    {
        DurationUnit.Minutes => TimeSpan.TicksPerMinute,
        DurationUnit.Hours => TimeSpan.TicksPerHour,
        DurationUnit.Days => TimeSpan.TicksPerDay,
        _ => TimeSpan.TicksPerDay * 7,
    };

    /// <summary>The unit's letter: m, h, d or w.</summary>
    public static char UnitLetter(DurationUnit unit) => unit switch
    {
        DurationUnit.Minutes => 'm',
        DurationUnit.Hours => 'h',
        DurationUnit.Days => 'd',
        _ => 'w',
    };

    /// <summary>The literal: <c>30d</c>, <c>24h</c>, <c>all</c>.</summary>
    public override string ToString() => IsAll ? "all" : $"{Amount}{UnitLetter(Unit)}";
}
