using TinyCdp.Identity;

namespace TinyCdp.Core.Tests.Identity;

public class ProfileIdGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Next_SameMillisecond_SortsInCreationOrder()
    {
        var generator = new ProfileIdGenerator();

        var ids = Enumerable.Range(0, 10_000).Select(_ => generator.Next(Now)).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Next_IsAVersion7UuidCarryingTheMillisecond()
    {
        var id = new ProfileIdGenerator().Next(Now);
        var bytes = id.ToByteArray(bigEndian: true);

        Assert.Equal(7, id.Version);
        Assert.Equal(0x80, bytes[8] & 0xC0);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        Assert.Equal(Now.ToUnixTimeMilliseconds(), milliseconds);
    }

    [Fact]
    public void Next_ClockGoingBackwards_StillIncreases()
    {
        var generator = new ProfileIdGenerator();
        var first = generator.Next(Now);

        var second = generator.Next(Now.AddSeconds(-5));

        Assert.True(second.CompareTo(first) > 0);
    }
}
