using System.Buffers.Binary;
using System.Text;
using TinyCdp.Evaluation.Bucketing;

namespace TinyCdp.Core.Tests.Evaluation.Bucketing;

public class MurmurHash3Tests
{
    // Published MurmurHash3_x86_32 vectors, each found with the same value in several independent
    // implementations' test suites. Byte inputs are hex; text inputs are their UTF-8 bytes.
    public static TheoryData<string, uint, uint> ByteVectors => new()
    {
        { "", 0x00000000, 0x00000000 },
        { "", 0x00000001, 0x514E28B7 },
        { "", 0xFFFFFFFF, 0x81F16F39 },
        { "FFFFFFFF", 0x00000000, 0x76293B50 },
        { "21436587", 0x00000000, 0xF55B516B },
        { "21436587", 0x5082EDEE, 0x2362F9DE },
        { "214365", 0x00000000, 0x7E4A8634 },
        { "2143", 0x00000000, 0xA0F7B07A },
        { "21", 0x00000000, 0x72661CF4 },
        { "00000000", 0x00000000, 0x2362F9DE },
        { "000000", 0x00000000, 0x85F0B427 },
        { "0000", 0x00000000, 0x30F4C306 },
        { "00", 0x00000000, 0x514E28B7 },
    };

    public static TheoryData<string, uint, uint> TextVectors => new()
    {
        { "hello", 0x00000000, 0x248BFA47 },
        { "test", 0x00000000, 0xBA6BD213 },
        { "test", 0x9747B28C, 0x704B81DC },
        { "Hello, world!", 0x00000000, 0xC0363E43 },
        { "Hello, world!", 0x9747B28C, 0x24884CBA },
        { "The quick brown fox jumps over the lazy dog", 0x00000000, 0x2E4FF723 },
        { "The quick brown fox jumps over the lazy dog", 0x9747B28C, 0x2FA826CD },
        { "a", 0x9747B28C, 0x7FA09EA6 },
        { "aa", 0x9747B28C, 0x5D211726 },
        { "aaa", 0x9747B28C, 0x283E0130 },
        { "aaaa", 0x9747B28C, 0x5A97808A },
        { "ab", 0x9747B28C, 0x74875592 },
        { "abc", 0x9747B28C, 0xC84A62DD },
        { "abcd", 0x9747B28C, 0xF0478627 },
        { "ππππππππ", 0x9747B28C, 0xD58063C1 },
    };

    [Theory]
    [MemberData(nameof(ByteVectors))]
    public void Hash32_PublishedByteVector_MatchesReference(string hex, uint seed, uint expected)
    {
        Assert.Equal(expected, MurmurHash3.Hash32(Convert.FromHexString(hex), seed));
    }

    [Theory]
    [MemberData(nameof(TextVectors))]
    public void Hash32_PublishedTextVector_MatchesReference(string text, uint seed, uint expected)
    {
        Assert.Equal(expected, MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), seed));
    }

    // SMHasher's self-test: hash the prefixes {}, {0}, {0, 1}, ... {0..254} of the bytes 0..255,
    // prefix i with seed 256 - i; hash the 256 results (little-endian, concatenated) with seed 0.
    // The reference prints 0xB0F57EE3 for MurmurHash3_x86_32; it covers every tail length.
    [Fact]
    public void Hash32_SmHasherVerificationTest_MatchesReferenceValue()
    {
        var key = new byte[256];
        var hashes = new byte[256 * 4];
        for (var i = 0; i < 256; i++)
        {
            key[i] = (byte)i;
            var hash = MurmurHash3.Hash32(key.AsSpan(0, i), (uint)(256 - i));
            BinaryPrimitives.WriteUInt32LittleEndian(hashes.AsSpan(i * 4), hash);
        }

        Assert.Equal(0xB0F57EE3u, MurmurHash3.Hash32(hashes, 0));
    }
}
