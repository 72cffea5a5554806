namespace TinyCdp.Storage.Postgres;

/// <summary>
/// How instants and text are encoded in the database (the enums' codes are <see cref="StoredCodes"/>,
/// shared with the other stores).
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
}
