namespace TinyCdp.Identity;

/// <summary>
/// Profile ids that sort in creation order: UUIDv7 (RFC 9562) with the Unix millisecond time in
/// the top 48 bits and, in the 12 bits after the version, a counter that increases within a
/// millisecond (the RFC's "dedicated counter" method); the rest is random. So "the oldest profile"
/// is well defined even for profiles created in the same millisecond. Used by the single writer;
/// not thread-safe.
/// </summary>
internal sealed class ProfileIdGenerator
{
    private long _lastMilliseconds = -1;
    private int _counter;

    public Guid Next(DateTimeOffset now)
    {
        var milliseconds = Math.Max(now.ToUnixTimeMilliseconds(), _lastMilliseconds);
        if (milliseconds == _lastMilliseconds)
        {
            if (++_counter > 0xFFF)
            {
                // 4,096 ids in one millisecond: borrow the next millisecond.
                milliseconds++;
                _counter = 0;
            }
        }
        else
        {
            _counter = 0;
        }

        _lastMilliseconds = milliseconds;
        Span<byte> bytes = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        bytes[0] = (byte)(milliseconds >> 40);
        bytes[1] = (byte)(milliseconds >> 32);
        bytes[2] = (byte)(milliseconds >> 24);
        bytes[3] = (byte)(milliseconds >> 16);
        bytes[4] = (byte)(milliseconds >> 8);
        bytes[5] = (byte)milliseconds;
        bytes[6] = (byte)(0x70 | (_counter >> 8));
        bytes[7] = (byte)_counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
