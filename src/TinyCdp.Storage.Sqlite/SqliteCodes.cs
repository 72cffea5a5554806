namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// How ids and instants are encoded in the database (the enums' codes are <see cref="StoredCodes"/>,
/// shared with the other stores).
/// </summary>
internal static class SqliteCodes
{
    /// <summary>16 bytes, big-endian, so that blob order (memcmp) is <see cref="Guid.CompareTo(Guid)"/> order.</summary>
    public static byte[] Id(Guid id) => id.ToByteArray(bigEndian: true);

    public static byte[]? Id(Guid? id) => id is { } value ? Id(value) : null;

    public static Guid Id(byte[] bytes) => new(bytes, bigEndian: true);

    public static Guid? NullableId(byte[]? bytes) => bytes is null ? null : Id(bytes);

    /// <summary>Unix milliseconds, UTC; sub-millisecond digits are truncated toward the past.</summary>
    public static long Instant(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static long? Instant(DateTimeOffset? instant) => instant is { } value ? Instant(value) : null;

    public static DateTimeOffset Instant(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static DateTimeOffset? NullableInstant(long? milliseconds) => milliseconds is { } value ? Instant(value) : null;
}
