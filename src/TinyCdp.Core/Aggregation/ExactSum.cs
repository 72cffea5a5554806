namespace TinyCdp.Aggregation;

/// <summary>
/// A sum of doubles kept exactly, so that a window's sum is the same whatever order its events
/// arrived in, however the tree holding them is shaped, and before or after compaction.
/// </summary>
/// <remarks>
/// <para>
/// Each number goes, by magnitude, into one of three fixed-point lanes (128-bit integers counting
/// units of 2^-82, 2^-47 and 2^-12). A double of magnitude in [2^-30, 2^75) (about 1e-9 to 4e22)
/// is represented exactly in its lane, and each lane has room for 2^40 such numbers, so adding is
/// exact and commutative. <see cref="ToDouble"/> rounds the exact total once, to the nearest
/// double (ties to even), so a single value comes back unchanged and <c>0.1 + 0.2 + 0.3</c> gives
/// <c>0.6</c>.
/// </para>
/// <para>
/// Outside that range: magnitudes below 2^-30 are rounded to a multiple of 2^-82 (an error under
/// 1e-25 each), and magnitudes of 2^75 and more are summed as ordinary doubles, whose last bits
/// may then depend on the order of additions.
/// </para>
/// </remarks>
internal readonly struct ExactSum : ITimeSummary<ExactSum, double>
{
    private const int FineScale = 82;
    private const int MiddleScale = 47;
    private const int CoarseScale = 12;
    private const double MiddleFrom = 32; // 2^5
    private const double CoarseFrom = 1099511627776; // 2^40
    private const double HugeFrom = 37778931862957161709568d; // 2^75

    // An Int128 lane splits into at most three doubles exactly (53 + 53 + 21 bits), plus the huge lane.
    private const int MaxParts = 10;

    private readonly Int128 _fine;
    private readonly Int128 _middle;
    private readonly Int128 _coarse;
    private readonly double _huge;

    private ExactSum(Int128 fine, Int128 middle, Int128 coarse, double huge)
    {
        _fine = fine;
        _middle = middle;
        _coarse = coarse;
        _huge = huge;
    }

    /// <inheritdoc />
    public static ExactSum Of(in double item)
    {
        var magnitude = Math.Abs(item);
        if (magnitude < MiddleFrom)
        {
            return new ExactSum((Int128)Math.Round(Math.ScaleB(item, FineScale)), default, default, 0);
        }

        if (magnitude < CoarseFrom)
        {
            return new ExactSum(default, (Int128)Math.ScaleB(item, MiddleScale), default, 0);
        }

        return magnitude < HugeFrom
            ? new ExactSum(default, default, (Int128)Math.ScaleB(item, CoarseScale), 0)
            : new ExactSum(default, default, default, item);
    }

    /// <inheritdoc />
    public static ExactSum Combine(in ExactSum left, in ExactSum right) =>
        new(left._fine + right._fine, left._middle + right._middle, left._coarse + right._coarse, left._huge + right._huge);

    /// <summary>The total, rounded once to the nearest double (ties to even); may be infinite only when huge numbers overflow.</summary>
    public double ToDouble()
    {
        Span<double> parts = stackalloc double[MaxParts];
        var count = 0;
        AddParts(_coarse, CoarseScale, parts, ref count);
        AddParts(_middle, MiddleScale, parts, ref count);
        AddParts(_fine, FineScale, parts, ref count);
        if (_huge != 0)
        {
            parts[count++] = _huge;
        }

        return count switch
        {
            0 => 0,
            1 => parts[0],
            _ => RoundedSum(parts[..count]),
        };
    }

    private static void AddParts(Int128 lane, int scale, Span<double> parts, ref int count)
    {
        // Int128 to double rounds to nearest, so each remainder is at most half an ulp of the part
        // before it: three rounds take all 127 bits. Scaling by a power of two is exact here.
        while (lane != 0)
        {
            var part = (double)lane;
            parts[count++] = Math.ScaleB(part, -scale);
            lane -= (Int128)part;
        }
    }

    // The correctly rounded sum of a few doubles: Shewchuk's exact partials, as in Python's math.fsum.
    private static double RoundedSum(ReadOnlySpan<double> values)
    {
        Span<double> partials = stackalloc double[MaxParts];
        var count = 0;
        foreach (var value in values)
        {
            var x = value;
            var kept = 0;
            for (var j = 0; j < count; j++)
            {
                var y = partials[j];
                if (Math.Abs(x) < Math.Abs(y))
                {
                    (x, y) = (y, x);
                }

                var high = x + y;
                var low = y - (high - x);
                if (low != 0)
                {
                    partials[kept++] = low;
                }

                x = high;
            }

            partials[kept] = x;
            count = kept + 1;
        }

        var n = count - 1;
        var sum = partials[n];
        var rest = 0.0;
        while (n > 0)
        {
            var x = sum;
            var y = partials[--n];
            sum = x + y;
            rest = y - (sum - x);
            if (rest != 0)
            {
                break;
            }
        }

        // Half-way cases: when the discarded remainder and the next partial point the same way,
        // the true total is beyond the half-way point, so round away from the even neighbour.
        if (n > 0 && ((rest < 0 && partials[n - 1] < 0) || (rest > 0 && partials[n - 1] > 0)))
        {
            var y = rest * 2;
            var x = sum + y;
            if (y == x - sum)
            {
                sum = x;
            }
        }

        return sum;
    }
}
