using System.Globalization;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// How values are encoded in the database. The integer codes are persisted (the same as the SQLite
/// store's): they are spelled out here instead of relying on the enums' declaration order, and must
/// never change.
/// </summary>
internal static class PostgresCodes
{
    /// <summary>
    /// What the store keeps of an instant: UTC, whole milliseconds (truncated toward the past), as the
    /// UTC <see cref="DateTime"/> Npgsql writes to <c>timestamptz</c>.
    /// </summary>
    public static DateTime Instant(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    public static DateTime? Instant(DateTimeOffset? instant) => instant is { } value ? Instant(value) : null;

    /// <summary>A <c>timestamptz</c> as read (a UTC <see cref="DateTime"/>) back to an instant with a zero offset.</summary>
    public static DateTimeOffset Instant(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    public static DateTimeOffset? NullableInstant(DateTime? utc) => utc is { } value ? Instant(value) : null;

    /// <summary>
    /// Text as PostgreSQL can take it: a lone surrogate (invalid UTF-16, which Npgsql's strict UTF-8
    /// encoding refuses) becomes U+FFFD, as the SQLite store's encoding makes it. Everything else is
    /// kept; U+0000, which PostgreSQL text cannot hold, still fails the statement.
    /// </summary>
    public static string Text(string value)
    {
        if (value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return value;
        }

        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    public static string? NullableText(string? value) => value is null ? null : Text(value);

    public static short Code(MessageKind kind) => kind switch
    {
        MessageKind.Track => 0,
        MessageKind.Identify => 1,
        MessageKind.Alias => 2,
        MessageKind.Page => 3,
        MessageKind.Screen => 4,
        MessageKind.Group => 5,
        _ => throw Unknown(kind),
    };

    public static MessageKind ToMessageKind(short code) => code switch
    {
        0 => MessageKind.Track,
        1 => MessageKind.Identify,
        2 => MessageKind.Alias,
        3 => MessageKind.Page,
        4 => MessageKind.Screen,
        5 => MessageKind.Group,
        _ => throw Unknown(code, nameof(MessageKind)),
    };

    public static short Code(IdentifierKind kind) => kind switch
    {
        IdentifierKind.UserId => 0,
        IdentifierKind.AnonymousId => 1,
        IdentifierKind.EmailHash => 2,
        _ => throw Unknown(kind),
    };

    public static IdentifierKind ToIdentifierKind(short code) => code switch
    {
        0 => IdentifierKind.UserId,
        1 => IdentifierKind.AnonymousId,
        2 => IdentifierKind.EmailHash,
        _ => throw Unknown(code, nameof(IdentifierKind)),
    };

    public static short Code(ChangeCause cause) => cause switch
    {
        ChangeCause.Event => 0,
        ChangeCause.Time => 1,
        ChangeCause.Definition => 2,
        ChangeCause.Merge => 3,
        ChangeCause.Delete => 4,
        _ => throw Unknown(cause),
    };

    public static ChangeCause ToChangeCause(short code) => code switch
    {
        0 => ChangeCause.Event,
        1 => ChangeCause.Time,
        2 => ChangeCause.Definition,
        3 => ChangeCause.Merge,
        4 => ChangeCause.Delete,
        _ => throw Unknown(code, nameof(ChangeCause)),
    };

    public static short Code(DefinitionKind kind) => kind switch
    {
        DefinitionKind.Trait => 0,
        DefinitionKind.Segment => 1,
        DefinitionKind.Flag => 2,
        _ => throw Unknown(kind),
    };

    public static short? Code(DefinitionKind? kind) => kind is { } value ? Code(value) : null;

    public static DefinitionKind ToDefinitionKind(short code) => code switch
    {
        0 => DefinitionKind.Trait,
        1 => DefinitionKind.Segment,
        2 => DefinitionKind.Flag,
        _ => throw Unknown(code, nameof(DefinitionKind)),
    };

    public static short Code(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Read => 0,
        ApiKeyKind.Write => 1,
        ApiKeyKind.Admin => 2,
        _ => throw Unknown(kind),
    };

    public static ApiKeyKind ToApiKeyKind(short code) => code switch
    {
        0 => ApiKeyKind.Read,
        1 => ApiKeyKind.Write,
        2 => ApiKeyKind.Admin,
        _ => throw Unknown(code, nameof(ApiKeyKind)),
    };

    /// <summary>
    /// A stable 64-bit key for <c>pg_advisory_*lock</c> (FNV-1a of the UTF-16 code units of the text):
    /// every process on the same schema computes the same key, whatever its runtime.
    /// </summary>
    public static long AdvisoryKey(string text)
    {
        const ulong Offset = 14695981039346656037UL;
        const ulong Prime = 1099511628211UL;
        var hash = Offset;
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }

        return unchecked((long)hash);
    }

    private static ArgumentOutOfRangeException Unknown<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        new("transaction", value, $"Unknown {typeof(TEnum).Name} value.");

    private static TinyCdpException Unknown(short code, string what) =>
        new(TinyCdpErrorCode.StoreUnavailable,
            string.Create(CultureInfo.InvariantCulture, $"The database holds the {what} code {code}, which this version of TinyCdp does not know."));
}
