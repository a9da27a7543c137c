namespace Sentinel.Ingest;

/// <summary>
/// Strict ISO-8601 with a UTC offset, as Python's <c>datetime.isoformat()</c> writes it:
/// <c>YYYY-MM-DDTHH:MM[:SS[.f…]](Z|±HH:MM)</c>. No guessing of day/month order, no local time.
/// </summary>
internal static class IsoTimestamp
{
    public enum Problem { None, NotIso, NoOffset }

    public static Problem TryParseUtc(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        // date
        if (s.Length < 16 || !Digits(s, 0, 4, out var year) || s[4] != '-' || !Digits(s, 5, 2, out var month)
            || s[7] != '-' || !Digits(s, 8, 2, out var day) || (s[10] != 'T' && s[10] != ' ')
            || !Digits(s, 11, 2, out var hour) || s[13] != ':' || !Digits(s, 14, 2, out var minute))
        {
            return Problem.NotIso;
        }

        var i = 16;
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second))
            {
                return Problem.NotIso;
            }

            i += 3;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var start = i;
                long scale = TimeSpan.TicksPerSecond;
                while (i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9')
                {
                    scale /= 10;
                    fractionTicks += (s[i] - '0') * scale;
                    i++;
                }

                if (i == start || i - start > 9)
                {
                    return Problem.NotIso;
                }
            }
        }

        long offsetMinutes;
        if (i == s.Length)
        {
            return Problem.NoOffset;
        }

        if (s[i] == 'Z' && i + 1 == s.Length)
        {
            offsetMinutes = 0;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            var sign = s[i] == '-' ? -1 : 1;
            if (!Digits(s, i + 1, 2, out var oh))
            {
                return Problem.NotIso;
            }

            var j = i + 3;
            if (j < s.Length && s[j] == ':')
            {
                j++;
            }

            if (!Digits(s, j, 2, out var om) || j + 2 != s.Length || oh > 23 || om > 59)
            {
                return Problem.NotIso;
            }

            offsetMinutes = sign * ((oh * 60) + om);
        }
        else
        {
            return Problem.NotIso;
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return Problem.NotIso;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var ticks = local - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return Problem.NotIso;
        }

        // Parquet stores microseconds; truncate so a value read back compares equal.
        ticks -= ticks % 10;
        utc = new DateTime(ticks, DateTimeKind.Utc);
        return Problem.None;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int at, int count, out int value)
    {
        value = 0;
        if (at + count > s.Length)
        {
            return false;
        }

        for (var k = at; k < at + count; k++)
        {
            var c = s[k];
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
