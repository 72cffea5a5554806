using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace TinyCdp.Evaluation.Bucketing;

/// <summary>
/// Deterministic bucketing for flag splits and percentage rollouts: places a bucketing key in one
/// of <see cref="BucketCount"/> buckets per flag, and picks the variant that owns a bucket.
/// </summary>
/// <remarks>
/// <para>
/// The mapping is part of TinyCdp's contract: the same flag key, salt and bucketing key give the
/// same bucket on every node, process, platform and version. It is pinned by golden test vectors
/// and described step by step in <c>docs/bucketing.md</c>.
/// </para>
/// <para>Both members are pure, thread-safe and allocate nothing for ordinary keys.</para>
/// </remarks>
internal static class Bucketer
{
    /// <summary>The number of buckets: <see cref="Bucket"/> returns a value in [0, <see cref="BucketCount"/>).</summary>
    public const int BucketCount = 100_000;

    // Inputs whose UTF-8 form may exceed this are encoded into a pooled array instead of the stack.
    private const int StackBufferBytes = 512;

    // UTF-16 to UTF-8 never takes more than three bytes per UTF-16 code unit (a surrogate pair,
    // two units, becomes four bytes; a replaced lone surrogate becomes three).
    private const int MaxUtf8BytesPerChar = 3;

    private const byte Separator = (byte)'.';

    /// <summary>
    /// Returns the bucket, in [0, <see cref="BucketCount"/>), of <paramref name="bucketingKey"/> for
    /// the flag <paramref name="flagKey"/> with <paramref name="salt"/>.
    /// </summary>
    /// <param name="flagKey">The flag's key; part of the hash so that flags bucket independently.</param>
    /// <param name="salt">The flag's salt (may be empty); changing it reshuffles every key.</param>
    /// <param name="bucketingKey">The value users are bucketed by, usually the user id.</param>
    /// <returns>
    /// <c>floor(h × 100000 / 2^32)</c>, where <c>h</c> is the unsigned MurmurHash3 x86 32-bit hash,
    /// seed 0, of the UTF-8 bytes of <c>flagKey + "." + salt + "." + bucketingKey</c>. Lone
    /// surrogates are encoded as U+FFFD. The result never changes across versions.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static int Bucket(string flagKey, string salt, string bucketingKey)
    {
        ArgumentNullException.ThrowIfNull(flagKey);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(bucketingKey);

        var charCount = (long)flagKey.Length + salt.Length + bucketingKey.Length;
        var hash = charCount * MaxUtf8BytesPerChar + 2 <= StackBufferBytes
            ? HashInto(stackalloc byte[StackBufferBytes], flagKey, salt, bucketingKey)
            : HashPooled(flagKey, salt, bucketingKey);

        return ToBucket(hash);
    }

    /// <summary>
    /// Returns the variant of <paramref name="split"/> that owns <paramref name="bucket"/>.
    /// </summary>
    /// <param name="bucket">A bucket from <see cref="Bucket"/>, in [0, <see cref="BucketCount"/>).</param>
    /// <param name="split">
    /// The variants and their weights, in order. Weights are usually percentages summing to 100,
    /// but any finite, non-negative weights with a positive sum are scaled to that sum.
    /// </param>
    /// <returns>
    /// The variant whose range contains <paramref name="bucket"/>, or <see langword="null"/> when
    /// <paramref name="split"/> is empty or all its weights are zero.
    /// </returns>
    /// <remarks>
    /// <para>
    /// With <c>total</c> the sum of the weights and <c>cumulative(i)</c> the sum of the weights of
    /// variants 0 to i (both summed in list order), variant i owns the buckets
    /// [<c>end(i - 1)</c>, <c>end(i)</c>), where <c>end(-1) = 0</c>, the last variant's end is
    /// <see cref="BucketCount"/>, and otherwise
    /// <c>end(i) = round(cumulative(i) × 100000 / total)</c>, rounding halves away from zero. The
    /// ranges are contiguous, in list order, and cover [0, 100000) exactly; a variant of weight
    /// zero owns no bucket.
    /// </para>
    /// <para>
    /// Raising the first variant's weight while lowering the others' (total unchanged) only moves
    /// its end to the right: every bucket it owned it still owns, so a rollout served as
    /// <c>[("on", p), ("off", 100 - p)]</c> only ever adds users as <c>p</c> grows.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="split"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="bucket"/> is outside [0, <see cref="BucketCount"/>), or a weight is negative,
    /// infinite or NaN.
    /// </exception>
    public static string? PickVariant(int bucket, IReadOnlyList<(string Variant, double Weight)> split)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        ArgumentNullException.ThrowIfNull(split);

        var total = 0.0;
        for (var i = 0; i < split.Count; i++)
        {
            var weight = split[i].Weight;
            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(split), weight, $"The weight of variant '{split[i].Variant}' must be finite and non-negative.");
            }

            total += weight;
        }

        if (!(total > 0))
        {
            return null;
        }

        var cumulative = 0.0;
        var last = split.Count - 1;
        for (var i = 0; i < last; i++)
        {
            cumulative += split[i].Weight;
            if (bucket < RangeEnd(cumulative, total))
            {
                return split[i].Variant;
            }
        }

        return split[last].Variant;
    }

    // Rounding, not truncating, keeps decimal percentages exact: 0.07 × 100000 / 100 is a hair
    // below or above 70 depending on the operands, and must give 70 either way.
    private static int RangeEnd(double cumulative, double total) =>
        (int)Math.Min(BucketCount, Math.Round(cumulative * BucketCount / total, MidpointRounding.AwayFromZero));

    // Multiply-shift maps the 2^32 hashes onto the buckets without the bias of a modulo: each
    // bucket receives either floor or ceil of 2^32 / 100000 hashes, in one contiguous run.
    private static int ToBucket(uint hash) => (int)((ulong)hash * BucketCount >> 32);

    private static uint HashPooled(string flagKey, string salt, string bucketingKey)
    {
        var byteCount = checked(
            Encoding.UTF8.GetByteCount(flagKey)
            + Encoding.UTF8.GetByteCount(salt)
            + Encoding.UTF8.GetByteCount(bucketingKey)
            + 2);
        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            return HashInto(rented, flagKey, salt, bucketingKey);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static uint HashInto(Span<byte> buffer, string flagKey, string salt, string bucketingKey)
    {
        // Encoding the three parts one by one gives the same bytes as encoding the joined string:
        // the '.' separators keep a surrogate pair from spanning two parts.
        var length = Encode(flagKey, buffer);
        buffer[length++] = Separator;
        length += Encode(salt, buffer[length..]);
        buffer[length++] = Separator;
        length += Encode(bucketingKey, buffer[length..]);
        return MurmurHash3.Hash32(buffer[..length], seed: 0);
    }

    private static int Encode(string text, Span<byte> destination)
    {
        var status = Utf8.FromUtf16(text, destination, out _, out var written, replaceInvalidSequences: true);
        if (status != OperationStatus.Done)
        {
            // Unreachable: buffers are sized for the worst case.
            throw new InvalidOperationException($"UTF-8 encoding stopped with {status}.");
        }

        return written;
    }
}
