using TinyCdp.Evaluation.Bucketing;

namespace TinyCdp.Core.Tests.Evaluation.Bucketing;

public class BucketerTests
{
    // Pinned forever: a changed value here means every user could switch variants on upgrade.
    // Computed once with this implementation after the MurmurHash3 vectors passed, and checked
    // against a separate implementation; docs/bucketing.md lists them with their hashes.
    public static TheoryData<string, string, string, int> GoldenVectors => new()
    {
        { "new-checkout", "", "user-1", 33431 },
        { "new-checkout", "v1", "user-1", 51164 },
        { "new-checkout", "v1", "user-2", 99131 },
        { "pricing-page", "2024-q3", "alice@example.com", 19729 },
        { "dark-mode", "", "", 21572 },
        { "", "", "", 29877 },
        { "flag", "salt", "Zoë", 21966 },
        { "flag", "salt", "ユーザー42", 51418 },
        { "flag", "salt", "👩‍💻", 48749 },
        { "straße-rollout", "sälz", "josé", 47139 },
    };

    [Theory]
    [MemberData(nameof(GoldenVectors))]
    public void Bucket_GoldenVector_NeverChanges(string flagKey, string salt, string bucketingKey, int expected)
    {
        Assert.Equal(expected, Bucketer.Bucket(flagKey, salt, bucketingKey));
    }

    [Fact]
    public void Bucket_LoneSurrogate_HashesAsReplacementCharacter()
    {
        // Kept out of the theory data: lone surrogates do not survive test-case serialization.
        Assert.Equal(8266, Bucketer.Bucket("flag", "salt", "u\uD800x"));
        Assert.Equal(8266, Bucketer.Bucket("flag", "salt", "u\uFFFDx"));
    }

    [Fact]
    public void Bucket_KeyLongerThanStackBuffer_NeverChanges()
    {
        Assert.Equal(46715, Bucketer.Bucket("flag", "salt", new string('k', 600)));
    }

    [Fact]
    public void Bucket_NullArgument_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Bucketer.Bucket(null!, "", "u"));
        Assert.Throws<ArgumentNullException>(() => Bucketer.Bucket("f", null!, "u"));
        Assert.Throws<ArgumentNullException>(() => Bucketer.Bucket("f", "", null!));
    }

    [Fact]
    public void Bucket_ShortKeys_AllocatesNothing()
    {
        const string flagKey = "new-checkout";
        const string salt = "2024-q3";
        const string bucketingKey = "user-123456";
        (string, double)[] split = [("control", 50), ("treatment", 50)];
        Bucketer.PickVariant(Bucketer.Bucket(flagKey, salt, bucketingKey), split);

        var checksum = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            var variant = Bucketer.PickVariant(Bucketer.Bucket(flagKey, salt, bucketingKey), split);
            checksum += variant!.Length;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    public static TheoryData<string, double[]> UniformSplits => new()
    {
        { "50/50", [50, 50] },
        { "10/90", [10, 90] },
        { "33/33/34", [33, 33, 34] },
    };

    [Theory]
    [MemberData(nameof(UniformSplits))]
    public void Bucket_HundredThousandUserIds_EachVariantWithinOnePointOfItsWeight(string name, double[] weights)
    {
        const int keys = 100_000;
        var split = weights.Select((weight, i) => ($"variant-{i}", weight)).ToArray();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < keys; i++)
        {
            var variant = Bucketer.PickVariant(Bucketer.Bucket("uniformity-check", "", "user-" + i), split)!;
            counts[variant] = counts.GetValueOrDefault(variant) + 1;
        }

        foreach (var (variant, weight) in split)
        {
            var share = 100.0 * counts.GetValueOrDefault(variant) / keys;
            Assert.True(Math.Abs(share - weight) <= 1.0, $"{name}: {variant} got {share:F3}% for a weight of {weight}%.");
        }
    }

    [Theory]
    [InlineData(0, "control")]
    [InlineData(49_999, "control")]
    [InlineData(50_000, "treatment")]
    [InlineData(99_999, "treatment")]
    public void PickVariant_FiftyFifty_SplitsAtHalf(int bucket, string expected)
    {
        Assert.Equal(expected, Bucketer.PickVariant(bucket, [("control", 50), ("treatment", 50)]));
    }

    [Theory]
    [InlineData(32_999, "a")]
    [InlineData(33_000, "b")]
    [InlineData(65_999, "b")]
    [InlineData(66_000, "c")]
    [InlineData(99_999, "c")]
    public void PickVariant_ThreeWays_RangesFollowListOrder(int bucket, string expected)
    {
        Assert.Equal(expected, Bucketer.PickVariant(bucket, [("a", 33), ("b", 33), ("c", 34)]));
    }

    [Theory]
    [InlineData(24_999, "a")]
    [InlineData(25_000, "b")]
    [InlineData(74_999, "b")]
    [InlineData(75_000, "c")]
    public void PickVariant_WeightsNotSummingToHundred_AreScaled(int bucket, string expected)
    {
        Assert.Equal(expected, Bucketer.PickVariant(bucket, [("a", 1), ("b", 2), ("c", 1)]));
    }

    [Theory]
    [InlineData(69, "on")]
    [InlineData(70, "off")]
    public void PickVariant_FractionalPercentage_RoundsToNearestBucket(int bucket, string expected)
    {
        Assert.Equal(expected, Bucketer.PickVariant(bucket, [("on", 0.07), ("off", 99.93)]));
    }

    [Fact]
    public void PickVariant_ZeroWeightVariant_OwnsNoBucket()
    {
        Assert.Equal("off", Bucketer.PickVariant(0, [("on", 0), ("off", 100)]));
        Assert.Equal("on", Bucketer.PickVariant(99_999, [("on", 100), ("off", 0)]));
        Assert.Equal("b", Bucketer.PickVariant(50_000, [("a", 50), ("zero", 0), ("b", 50)]));
    }

    [Fact]
    public void PickVariant_EmptyOrAllZeroSplit_ReturnsNull()
    {
        Assert.Null(Bucketer.PickVariant(0, []));
        Assert.Null(Bucketer.PickVariant(0, [("on", 0), ("off", 0)]));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void PickVariant_InvalidWeight_Throws(double weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bucketer.PickVariant(0, [("on", weight), ("off", 50)]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Bucketer.BucketCount)]
    public void PickVariant_BucketOutOfRange_Throws(int bucket)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bucketer.PickVariant(bucket, [("on", 50), ("off", 50)]));
    }

    [Fact]
    public void PickVariant_NullSplit_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Bucketer.PickVariant(0, null!));
    }
}
