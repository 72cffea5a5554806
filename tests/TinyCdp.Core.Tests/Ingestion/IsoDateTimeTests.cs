using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Ingestion;

public class IsoDateTimeTests
{
    [Theory]
    [InlineData("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01t12:00:00z", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01 12:00:00", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T12:00", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T12:00:00.123Z", "2024-05-01T12:00:00.1230000+00:00")]
    [InlineData("2024-05-01T12:00:00.123456", "2024-05-01T12:00:00.1234560+00:00")]
    [InlineData("2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00.1234567+00:00")]
    [InlineData("2024-05-01T12:00:00,5Z", "2024-05-01T12:00:00.5000000+00:00")]
    [InlineData("2024-05-01T14:30:00+02:30", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T14:30:00+0230", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T14:00:00+02", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T07:00:00-05:00", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T12:00:00-00:00", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.0000000+00:00")]
    [InlineData("2024-05-01T02:00:00+14:00", "2024-04-30T12:00:00.0000000+00:00")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999+00:00")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00")]
    public void TryParse_Iso8601_IsReadAsUtc(string text, string expected)
    {
        Assert.True(IsoDateTime.TryParse(text, out var value));
        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("1714564800")]
    [InlineData("2024-05-01")]
    [InlineData("2024-05-01T12")]
    [InlineData("2024-5-1T12:00:00Z")]
    [InlineData("05/01/2024 12:00")]
    [InlineData("Wed, 01 May 2024 12:00:00 GMT")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-05-32T00:00:00Z")]
    [InlineData("2024-05-01T24:00:00Z")]
    [InlineData("2024-05-01T12:60:00Z")]
    [InlineData("2024-05-01T12:00:60Z")]
    [InlineData("2024-05-01T12:00:00.Z")]
    [InlineData("2024-05-01T12:00:00ZZ")]
    [InlineData("2024-05-01T12:00:00+15:00")]
    [InlineData("2024-05-01T12:00:00+14:01")]
    [InlineData("2024-05-01T12:00:00+02:60")]
    [InlineData("2024-05-01T12:00:00+02:")]
    [InlineData("2024-05-01T12:00:00+2")]
    [InlineData("2024-05-01T12:00:00+02:0")]
    [InlineData("2024-05-01T12:00:00 ")]
    [InlineData(" 2024-05-01T12:00:00")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:00:00-01:00")]
    [InlineData("２０２４-05-01T12:00:00Z")]
    public void TryParse_NotIso8601_IsFalse(string? text)
    {
        Assert.False(IsoDateTime.TryParse(text, out _));
    }
}
