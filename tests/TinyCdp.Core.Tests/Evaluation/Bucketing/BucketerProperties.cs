using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Evaluation.Bucketing;

namespace TinyCdp.Core.Tests.Evaluation.Bucketing;

public class BucketerProperties
{
    // Any UTF-16 text, lone surrogates included, up to 100 units: three such parts can exceed the
    // 512-byte stack buffer, so both encoding paths are exercised.
    private static readonly Gen<string> AnyText =
        Gen.OneOf(Gen.Choose(0x20, 0x7E), Gen.Choose(0, 0xFFFF), Gen.Choose(0xD800, 0xDFFF))
            .Select(code => (char)code)
            .ArrayOf()
            .Select(chars => new string(chars));

    private static readonly Arbitrary<(string FlagKey, string Salt, string Key)> AnyInputs =
        (from flagKey in AnyText
         from salt in AnyText
         from key in AnyText
         select (flagKey, salt, key)).ToArbitrary();

    [Property]
    public Property Bucket_SameInputs_SameBucketWithinRange() =>
        Prop.ForAll(AnyInputs, inputs =>
        {
            var first = Bucketer.Bucket(inputs.FlagKey, inputs.Salt, inputs.Key);
            var second = Bucketer.Bucket(new string(inputs.FlagKey), new string(inputs.Salt), new string(inputs.Key));
            return first == second && first >= 0 && first < Bucketer.BucketCount;
        });

    [Property]
    public Property Bucket_AnyInputs_IsTheDocumentedMappingOfTheJoinedString() =>
        Prop.ForAll(AnyInputs, inputs =>
        {
            var bytes = Encoding.UTF8.GetBytes(inputs.FlagKey + "." + inputs.Salt + "." + inputs.Key);
            var expected = (int)((ulong)MurmurHash3.Hash32(bytes, 0) * 100_000UL >> 32);
            return Bucketer.Bucket(inputs.FlagKey, inputs.Salt, inputs.Key) == expected;
        });

    // Percentages in thousandths of a point, so rollouts as fine as 0.001% are covered.
    private static readonly Arbitrary<(string Key, double Lower, double Higher)> Rollouts =
        (from key in AnyText
         from a in Gen.Choose(0, 100_000)
         from b in Gen.Choose(0, 100_000)
         where a != b
         select (key, Math.Min(a, b) / 1000.0, Math.Max(a, b) / 1000.0)).ToArbitrary();

    [Property(MaxTest = 1000)]
    public Property PickVariant_RaisingRolloutPercentage_KeepsEveryKeyAlreadyIn() =>
        Prop.ForAll(Rollouts, rollout =>
        {
            var bucket = Bucketer.Bucket("rollout-flag", "salt", rollout.Key);
            var atLower = Bucketer.PickVariant(bucket, [("on", rollout.Lower), ("off", 100 - rollout.Lower)]);
            var atHigher = Bucketer.PickVariant(bucket, [("on", rollout.Higher), ("off", 100 - rollout.Higher)]);
            return atLower != "on" || atHigher == "on";
        });

    // The same invariant seen from the buckets, and sharper: a key-based check only notices a
    // broken rollout when a random key lands in the few buckets that moved.
    [Property(MaxTest = 1000)]
    public Property PickVariant_RolloutAtAnyPercentage_FirstVariantOwnsExactlyThatPrefix() =>
        Prop.ForAll(Rollouts, rollout =>
        {
            // At p%, "on" owns exactly the buckets [0, p × 1000).
            var lowerEnd = (int)Math.Round(rollout.Lower * 1000);
            var higherEnd = (int)Math.Round(rollout.Higher * 1000);
            return OwnsExactlyPrefix(rollout.Lower, lowerEnd) && OwnsExactlyPrefix(rollout.Higher, higherEnd);
        });

    private static bool OwnsExactlyPrefix(double percentage, int end)
    {
        (string, double)[] split = [("on", percentage), ("off", 100 - percentage)];
        var lastIn = end == 0 || Bucketer.PickVariant(end - 1, split) == "on";
        var firstOut = end == Bucketer.BucketCount || Bucketer.PickVariant(end, split) == "off";
        return lastIn && firstOut;
    }

    private static readonly Arbitrary<int[]> Weights =
        (from count in Gen.Choose(1, 8)
         from weights in Gen.Choose(0, 1000).ArrayOf(count)
         where weights.Sum() > 0
         select weights).ToArbitrary();

    [Property(MaxTest = 50)]
    public Property PickVariant_AnyWeights_ContiguousRangesInListOrderSizedByWeight() =>
        Prop.ForAll(Weights, weights =>
        {
            var split = weights.Select((weight, i) => (i.ToString(CultureInfo.InvariantCulture), (double)weight)).ToArray();
            var counts = new int[weights.Length];
            var previous = 0;
            for (var bucket = 0; bucket < Bucketer.BucketCount; bucket++)
            {
                var index = int.Parse(Bucketer.PickVariant(bucket, split)!, CultureInfo.InvariantCulture);
                if (index < previous)
                {
                    return false;
                }

                previous = index;
                counts[index]++;
            }

            double total = weights.Sum();
            return weights
                .Select((weight, i) => Math.Abs(counts[i] - (weight / total * Bucketer.BucketCount)))
                .All(error => error <= 1.0);
        });

    private static readonly Arbitrary<(string FlagKey, string Salt)> FlagKeys =
        (from flagKey in AnyText
         from salt in AnyText
         select (flagKey, salt)).ToArbitrary();

    [Property(MaxTest = 10)]
    public Property Bucket_AnyFlagAndSalt_SplitsHundredThousandUserIdsWithinOnePoint() =>
        Prop.ForAll(FlagKeys, flag =>
        {
            (string, double)[] split = [("a", 33), ("b", 33), ("c", 34)];
            int a = 0, b = 0;
            for (var i = 0; i < 100_000; i++)
            {
                switch (Bucketer.PickVariant(Bucketer.Bucket(flag.FlagKey, flag.Salt, "user-" + i), split))
                {
                    case "a": a++; break;
                    case "b": b++; break;
                }
            }

            var c = 100_000 - a - b;
            return Math.Abs(a / 1000.0 - 33) <= 1 && Math.Abs(b / 1000.0 - 33) <= 1 && Math.Abs(c / 1000.0 - 34) <= 1;
        });
}
