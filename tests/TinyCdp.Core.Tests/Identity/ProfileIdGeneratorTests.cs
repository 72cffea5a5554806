using TinyCdp.Identity;

namespace TinyCdp.Core.Tests.Identity;

public class ProfileIdGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_SameMillisecond_SortsBySequence()
    {
        var ids = Enumerable.Range(1, 10_000).Select(sequence => ProfileIdGenerator.Create(Now, sequence)).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Create_LaterMillisecond_SortsAfterAnySequence()
    {
        var earlier = ProfileIdGenerator.Create(Now, (1L << 40) - 1);
        var later = ProfileIdGenerator.Create(Now.AddMilliseconds(1), 1);

        Assert.True(later.CompareTo(earlier) > 0);
    }

    [Fact]
    public void Create_IsAVersion7UuidCarryingTheMillisecondAndTheSequence()
    {
        var id = ProfileIdGenerator.Create(Now, 0x12_3456_789A);
        var bytes = id.ToByteArray(bigEndian: true);

        Assert.Equal(7, id.Version);
        Assert.Equal(0x80, bytes[8] & 0xC0);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        Assert.Equal(Now.ToUnixTimeMilliseconds(), milliseconds);
        var sequence = ((long)(bytes[6] & 0x0F) << 36) | ((long)bytes[7] << 28) | ((long)(bytes[8] & 0x3F) << 22) | ((long)bytes[9] << 14) | ((long)bytes[10] << 6) | (long)(bytes[11] >> 2);
        Assert.Equal(0x12_3456_789AL, sequence);
    }
}
