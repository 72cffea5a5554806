namespace TinyCdp.Aggregation;

/// <summary>The smallest and largest of some numbers; <c>default</c> is the range of no numbers.</summary>
internal readonly struct NumberRange : ITimeSummary<NumberRange, double>
{
    private NumberRange(double min, double max)
    {
        HasValue = true;
        Min = min;
        Max = max;
    }

    /// <summary>False for the range of no numbers.</summary>
    public bool HasValue { get; }

    /// <summary>The smallest number (meaningless when <see cref="HasValue"/> is false).</summary>
    public double Min { get; }

    /// <summary>The largest number (meaningless when <see cref="HasValue"/> is false).</summary>
    public double Max { get; }

    /// <inheritdoc />
    public static NumberRange Of(in double item) => new(item, item);

    /// <inheritdoc />
    public static NumberRange Combine(in NumberRange left, in NumberRange right)
    {
        if (!left.HasValue)
        {
            return right;
        }

        return right.HasValue ? new NumberRange(Math.Min(left.Min, right.Min), Math.Max(left.Max, right.Max)) : left;
    }
}
