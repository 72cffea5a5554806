using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Aggregation;

namespace TinyCdp.Core.Tests.Aggregation;

/// <summary>The exact summation behind sum and avg.</summary>
public sealed class ExactSumTests
{
    // Doubles the lanes hold exactly: magnitudes in [2^-30, 2^75), random mantissas and signs.
    private static readonly Gen<double> ExactRange =
        from exponent in Gen.Choose(-30, 74)
        from high in Gen.Choose(0, (1 << 26) - 1)
        from low in Gen.Choose(0, (1 << 26) - 1)
        from negative in Gen.Elements(false, true)
        select (negative ? -1 : 1) * Math.ScaleB(1 + ((((long)high << 26) | (uint)low) / (double)(1L << 52)), exponent);

    [Property(MaxTest = 300)]
    public Property ToDouble_AnyNumbersInRange_IsTheCorrectlyRoundedExactSum() =>
        Prop.ForAll(Arb.From(ExactRange.ListOf()), values =>
        {
            var sum = values.Aggregate(default(ExactSum), (acc, v) => ExactSum.Combine(acc, ExactSum.Of(v)));

            Assert.Equal(ReferenceSum(values), sum.ToDouble());
        });

    [Property(MaxTest = 300)]
    public Property Combine_AnyGrouping_GivesTheSameDouble() =>
        Prop.ForAll(Arb.From(ExactRange.ListOf().Zip(Gen.Choose(0, 1000))), input =>
        {
            var (values, seed) = input;
            var forward = values.Aggregate(default(ExactSum), (acc, v) => ExactSum.Combine(acc, ExactSum.Of(v)));
            var shuffled = values.OrderBy(_ => new Random(seed).Next()).ToList();
            var pairwise = Pairwise(shuffled.Select(v => ExactSum.Of(v)).ToList());

            Assert.Equal(forward.ToDouble(), pairwise.ToDouble());
        });

    [Theory]
    [InlineData(0.1)]
    [InlineData(-19.99)]
    [InlineData(1e-12)]
    [InlineData(123456789.123)]
    [InlineData(9.5e21)]
    [InlineData(1e300)]
    [InlineData(double.Epsilon)]
    public void ToDouble_OneValue_ReturnsItUnchangedOrAlmost(double value)
    {
        var result = ExactSum.Of(value).ToDouble();

        // Below 2^-30 the value is rounded to a multiple of 2^-82.
        Assert.Equal(value, result, Math.Abs(value) < Math.ScaleB(1, -30) ? Math.ScaleB(1, -82) : 0);
    }

    [Fact]
    public void ToDouble_Nothing_IsZero()
    {
        Assert.Equal(0, default(ExactSum).ToDouble());
    }

    [Fact]
    public void ToDouble_CancellingValuesAcrossLanes_IsExact()
    {
        double[] values = [1e20, 3.5, -1e20, 1e10, 0.125, -1e10];

        var sum = values.Aggregate(default(ExactSum), (acc, v) => ExactSum.Combine(acc, ExactSum.Of(v)));

        Assert.Equal(3.625, sum.ToDouble());
    }

    private static ExactSum Pairwise(List<ExactSum> sums)
    {
        if (sums.Count == 0)
        {
            return default;
        }

        while (sums.Count > 1)
        {
            var next = new List<ExactSum>();
            for (var i = 0; i < sums.Count; i += 2)
            {
                next.Add(i + 1 < sums.Count ? ExactSum.Combine(sums[i], sums[i + 1]) : sums[i]);
            }

            sums = next;
        }

        return sums[0];
    }

    // Every double is a whole multiple of 2^-1074: add exactly as integers, then round to nearest, ties to even.
    private static double ReferenceSum(IEnumerable<double> values)
    {
        var total = BigInteger.Zero;
        foreach (var value in values)
        {
            var bits = BitConverter.DoubleToInt64Bits(value);
            var exponent = (int)((bits >> 52) & 0x7FF);
            var mantissa = bits & 0xFFFFFFFFFFFFFL;
            var units = exponent == 0 ? new BigInteger(mantissa) : new BigInteger(mantissa | (1L << 52)) << (exponent - 1);
            total += value < 0 ? -units : units;
        }

        if (total.IsZero)
        {
            return 0;
        }

        var magnitude = BigInteger.Abs(total);
        var shift = (int)magnitude.GetBitLength() - 53;
        if (shift > 0)
        {
            var quotient = magnitude >> shift;
            var remainder = magnitude - (quotient << shift);
            var half = BigInteger.One << (shift - 1);
            if (remainder > half || (remainder == half && !quotient.IsEven))
            {
                quotient += 1;
            }

            magnitude = quotient;
        }
        else
        {
            shift = 0;
        }

        var result = Math.ScaleB((double)magnitude, shift - 1074);
        return total.Sign < 0 ? -result : result;
    }
}
