using System.Buffers.Binary;
using System.Numerics;

namespace TinyCdp.Evaluation.Bucketing;

/// <summary>
/// MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm), over bytes.
/// </summary>
/// <remarks>
/// Blocks are read little-endian whatever the machine's byte order, so a hash is the same on
/// every platform. The result feeds persisted decisions (flag buckets): it must never change.
/// </remarks>
internal static class MurmurHash3
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    /// <summary>Hashes <paramref name="data"/> with <paramref name="seed"/>; allocates nothing.</summary>
    public static uint Hash32(ReadOnlySpan<byte> data, uint seed)
    {
        var hash = seed;
        var blockBytes = data.Length & ~3;

        for (var offset = 0; offset < blockBytes; offset += 4)
        {
            hash ^= ScrambleBlock(BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(offset, 4)));
            hash = BitOperations.RotateLeft(hash, 13);
            hash = unchecked((hash * 5) + 0xe6546b64);
        }

        // The 1 to 3 trailing bytes form one little-endian partial block, mixed without the
        // rotate-multiply-add step that full blocks get.
        var tail = data[blockBytes..];
        if (!tail.IsEmpty)
        {
            uint block = 0;
            for (var i = tail.Length - 1; i >= 0; i--)
            {
                block = (block << 8) | tail[i];
            }

            hash ^= ScrambleBlock(block);
        }

        hash ^= unchecked((uint)data.Length);
        return FinalMix(hash);
    }

    private static uint ScrambleBlock(uint block)
    {
        unchecked
        {
            block *= C1;
            block = BitOperations.RotateLeft(block, 15);
            return block * C2;
        }
    }

    // fmix32: forces every input bit to affect every output bit.
    private static uint FinalMix(uint hash)
    {
        unchecked
        {
            hash ^= hash >> 16;
            hash *= 0x85ebca6b;
            hash ^= hash >> 13;
            hash *= 0xc2b2ae35;
            hash ^= hash >> 16;
            return hash;
        }
    }
}
