namespace Sentinel.Text;

/// <summary>
/// The shape test behind the scrubber's <c>secret_shaped</c> reason (the kind of test detect-secrets and gitleaks
/// use for tokens no prefix rule knows): a value is cut at separators (<c>. _ - : / + = space</c> and quotes) and a
/// piece that is long, mixes character classes and has high per-character entropy is a random token, not a word.
/// CamelCase names (<c>MemoryBudgetExceededError</c>), snake_case and version numbers are words: their pieces are
/// either short, single-class, or made of capitalised words.
/// </summary>
internal static class SecretShape
{
    /// <summary>True when some piece of <paramref name="value"/> looks like a random credential.</summary>
    public static bool Looks(string value)
    {
        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || IsSeparator(value[i]))
            {
                if (i - start >= 16 && Random(value.AsSpan(start, i - start)))
                {
                    return true;
                }

                start = i + 1;
            }
        }

        return false;
    }

    private static bool IsSeparator(char c) => c is '.' or '_' or '-' or ':' or '/' or '+' or '=' or ' ' or '"' or '\'' or ',' or ';' or '@' or '?' or '&';

    private static bool Random(ReadOnlySpan<char> piece)
    {
        int upper = 0, lower = 0, digit = 0, other = 0;
        foreach (var c in piece)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                upper++;
            }
            else if (char.IsAsciiLetterLower(c))
            {
                lower++;
            }
            else if (char.IsAsciiDigit(c))
            {
                digit++;
            }
            else
            {
                other++;
            }
        }

        if (other > 0)
        {
            return false; // not a token alphabet (words in other scripts, punctuation)
        }

        var classes = (upper > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) + (digit > 0 ? 1 : 0);
        var entropy = Entropy(piece);
        if (digit == piece.Length || (classes == 1 && lower + upper == piece.Length))
        {
            return false; // one class: a number, or one long lower/upper-case word
        }

        if (upper + lower == piece.Length && IsCamelCase(piece))
        {
            return false;
        }

        // Hex (a 32+ digit hash or key) or mixed alphanumerics with the entropy of random text.
        var hex = IsHex(piece);
        return hex ? piece.Length >= 32 && entropy >= 3.0 : entropy >= (piece.Length >= 24 ? 3.5 : 3.7);
    }

    /// <summary>
    /// A name made of words: every capitalised chunk has at least two lower-case letters (<c>Not</c>, <c>Error</c>),
    /// or is an all-caps acronym, and capitals are at most a third of the letters. Random base62 text fails both.
    /// </summary>
    private static bool IsCamelCase(ReadOnlySpan<char> piece)
    {
        var uppers = 0;
        var i = 0;
        while (i < piece.Length)
        {
            var upperRun = 0;
            while (i < piece.Length && char.IsAsciiLetterUpper(piece[i]))
            {
                upperRun++;
                i++;
            }

            var lowerRun = 0;
            while (i < piece.Length && char.IsAsciiLetterLower(piece[i]))
            {
                lowerRun++;
                i++;
            }

            uppers += upperRun;
            if (lowerRun == 1)
            {
                return false;
            }
        }

        return uppers * 3 <= piece.Length;
    }

    private static bool IsHex(ReadOnlySpan<char> piece)
    {
        foreach (var c in piece)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static double Entropy(ReadOnlySpan<char> piece)
    {
        Span<int> counts = stackalloc int[128];
        foreach (var c in piece)
        {
            counts[c & 127]++;
        }

        double h = 0;
        foreach (var n in counts)
        {
            if (n > 0)
            {
                var p = (double)n / piece.Length;
                h -= p * Math.Log2(p);
            }
        }

        return h;
    }
}
