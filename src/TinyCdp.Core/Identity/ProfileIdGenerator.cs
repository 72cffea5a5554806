namespace TinyCdp.Identity;

/// <summary>
/// Profile ids that sort in creation order: UUIDv7 (RFC 9562) with the Unix millisecond time in the
/// top 48 bits, then the 40-bit sequence number of the message that created the profile (messages
/// are numbered across restarts, and each creates at most one profile), then 34 random bits. So
/// "the oldest profile" is well defined even for profiles created in the same millisecond, on any
/// side of a restart. Also used for the message ids the engine assigns.
/// </summary>
internal static class ProfileIdGenerator
{
    private const long MaxSequence = (1L << 40) - 1;

    public static Guid Create(DateTimeOffset createdAt, long sequence)
    {
        var milliseconds = createdAt.ToUnixTimeMilliseconds();
        var s = sequence & MaxSequence;
        Span<byte> bytes = stackalloc byte[16];
        // Uniqueness comes from the sequence; the random tail only makes ids harder to guess.
        Random.Shared.NextBytes(bytes[11..]);
        bytes[0] = (byte)(milliseconds >> 40);
        bytes[1] = (byte)(milliseconds >> 32);
        bytes[2] = (byte)(milliseconds >> 24);
        bytes[3] = (byte)(milliseconds >> 16);
        bytes[4] = (byte)(milliseconds >> 8);
        bytes[5] = (byte)milliseconds;
        bytes[6] = (byte)(0x70 | (s >> 36));           // version 7, sequence bits 39..36
        bytes[7] = (byte)(s >> 28);                    // bits 35..28
        bytes[8] = (byte)(0x80 | ((s >> 22) & 0x3F));  // variant 10, bits 27..22
        bytes[9] = (byte)(s >> 14);                    // bits 21..14
        bytes[10] = (byte)(s >> 6);                    // bits 13..6
        bytes[11] = (byte)((s << 2) | (bytes[11] & 0x03u)); // bits 5..0, then random
        return new Guid(bytes, bigEndian: true);
    }
}
