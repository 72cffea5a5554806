using System.Globalization;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// How values are encoded in the database. The integer codes are persisted: they are spelled out
/// here instead of relying on the enums' declaration order, and must never change.
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

    public static long Code(MessageKind kind) => kind switch
    {
        MessageKind.Track => 0,
        MessageKind.Identify => 1,
        MessageKind.Alias => 2,
        MessageKind.Page => 3,
        MessageKind.Screen => 4,
        MessageKind.Group => 5,
        _ => throw Unknown(kind),
    };

    public static MessageKind ToMessageKind(long code) => code switch
    {
        0 => MessageKind.Track,
        1 => MessageKind.Identify,
        2 => MessageKind.Alias,
        3 => MessageKind.Page,
        4 => MessageKind.Screen,
        5 => MessageKind.Group,
        _ => throw Unknown(code, nameof(MessageKind)),
    };

    public static long Code(IdentifierKind kind) => kind switch
    {
        IdentifierKind.UserId => 0,
        IdentifierKind.AnonymousId => 1,
        IdentifierKind.EmailHash => 2,
        _ => throw Unknown(kind),
    };

    public static IdentifierKind ToIdentifierKind(long code) => code switch
    {
        0 => IdentifierKind.UserId,
        1 => IdentifierKind.AnonymousId,
        2 => IdentifierKind.EmailHash,
        _ => throw Unknown(code, nameof(IdentifierKind)),
    };

    public static long Code(ChangeCause cause) => cause switch
    {
        ChangeCause.Event => 0,
        ChangeCause.Time => 1,
        ChangeCause.Definition => 2,
        ChangeCause.Merge => 3,
        ChangeCause.Delete => 4,
        _ => throw Unknown(cause),
    };

    public static ChangeCause ToChangeCause(long code) => code switch
    {
        0 => ChangeCause.Event,
        1 => ChangeCause.Time,
        2 => ChangeCause.Definition,
        3 => ChangeCause.Merge,
        4 => ChangeCause.Delete,
        _ => throw Unknown(code, nameof(ChangeCause)),
    };

    public static long Code(DefinitionKind kind) => kind switch
    {
        DefinitionKind.Trait => 0,
        DefinitionKind.Segment => 1,
        DefinitionKind.Flag => 2,
        _ => throw Unknown(kind),
    };

    public static long? Code(DefinitionKind? kind) => kind is { } value ? Code(value) : null;

    public static long Code(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Read => 0,
        ApiKeyKind.Write => 1,
        ApiKeyKind.Admin => 2,
        _ => throw Unknown(kind),
    };

    public static ApiKeyKind ToApiKeyKind(long code) => code switch
    {
        0 => ApiKeyKind.Read,
        1 => ApiKeyKind.Write,
        2 => ApiKeyKind.Admin,
        _ => throw Unknown(code, nameof(ApiKeyKind)),
    };

    public static DefinitionKind ToDefinitionKind(long code) => code switch
    {
        0 => DefinitionKind.Trait,
        1 => DefinitionKind.Segment,
        2 => DefinitionKind.Flag,
        _ => throw Unknown(code, nameof(DefinitionKind)),
    };

    private static ArgumentOutOfRangeException Unknown<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        new(typeof(TEnum).Name, value, $"Unknown {typeof(TEnum).Name} value.");

    private static TinyCdpException Unknown(long code, string what) =>
        new(TinyCdpErrorCode.StoreUnavailable,
            string.Create(CultureInfo.InvariantCulture, $"The database holds the {what} code {code}, which this version of TinyCdp does not know."));
}
