namespace TinyCdp.Ingestion;

/// <summary>
/// A strict parser for the ISO-8601 / RFC 3339 date-times tracking libraries send:
/// <c>YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm|±hhmm|±hh]</c>.
/// </summary>
/// <remarks>
/// <c>DateTimeOffset.TryParse</c> is not used because it accepts far more than ISO-8601
/// (<c>1/2/2024</c>, month names, times without dates). Accepted: <c>T</c>, <c>t</c> or a space
/// between date and time (Python's <c>str(datetime)</c> uses a space); seconds optional; a
/// fraction of any number of digits after <c>.</c> or <c>,</c> (digits beyond the 7th, below
/// .NET's 100 ns tick, are dropped); <c>Z</c> or <c>z</c>; an offset of at most 14 hours; no
/// offset means UTC. The result is always at offset zero.
/// </remarks>
internal static class IsoDateTime
{
    private const int MaxOffsetMinutes = 14 * 60;

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length < 16)
        {
            return false;
        }

        var s = text.AsSpan();
        if (!Digits(s, 0, 4, out var year) || s[4] != '-' || !Digits(s, 5, 2, out var month) || s[7] != '-'
            || !Digits(s, 8, 2, out var day) || s[10] is not ('T' or 't' or ' ')
            || !Digits(s, 11, 2, out var hour) || s[13] != ':' || !Digits(s, 14, 2, out var minute))
        {
            return false;
        }

        var i = 16;
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second))
            {
                return false;
            }

            i += 3;
            if (i < s.Length && s[i] is '.' or ',')
            {
                i++;
                var start = i;
                var scale = TimeSpan.TicksPerSecond;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    scale /= 10;
                    fractionTicks += (s[i] - '0') * scale;
                    i++;
                }

                if (i == start)
                {
                    return false;
                }
            }
        }

        var offsetMinutes = 0;
        if (i < s.Length)
        {
            if (s[i] is 'Z' or 'z')
            {
                i++;
            }
            else if (s[i] is '+' or '-')
            {
                var sign = s[i] == '-' ? -1 : 1;
                if (!Digits(s, i + 1, 2, out var offsetHours))
                {
                    return false;
                }

                i += 3;
                var offsetMinutePart = 0;
                var colon = i < s.Length && s[i] == ':';
                if (colon)
                {
                    i++;
                }

                if (colon || i < s.Length)
                {
                    // ±hh:mm or ±hhmm; after ±hh alone the string must end.
                    if (!Digits(s, i, 2, out offsetMinutePart))
                    {
                        return false;
                    }

                    i += 2;
                }

                if (offsetMinutePart > 59)
                {
                    return false;
                }

                offsetMinutes = sign * ((offsetHours * 60) + offsetMinutePart);
            }
        }

        if (i != s.Length || Math.Abs(offsetMinutes) > MaxOffsetMinutes
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var utcTicks = localTicks - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (utcTicks < DateTimeOffset.MinValue.UtcTicks || utcTicks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }
}
