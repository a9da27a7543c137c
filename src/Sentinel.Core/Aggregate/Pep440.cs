using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sentinel.Aggregate;

/// <summary>
/// Orders version strings by PEP 440 (<c>packaging.version.Version</c> semantics). Total and deterministic:
/// valid versions first in PEP 440 order, then strings that are not PEP 440 (ordinal), then the literal
/// <c>unknown</c>, then null. Two different strings that are the same version (<c>1.0</c>, <c>1.0.0</c>)
/// are ordered ordinally, so the comparer is 0 only for ordinally equal strings.
/// </summary>
internal sealed class Pep440Comparer : IComparer<string>
{
    /// <summary>Sentinel's placeholder for an unresolved version; sorts after every other string.</summary>
    public const string Unknown = "unknown";

    /// <summary>The shared, stateless instance.</summary>
    public static readonly Pep440Comparer Instance = new();

    private Pep440Comparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (string.Equals(x, y, StringComparison.Ordinal))
        {
            return 0;
        }

        return Compare(x, Parse(x), y, Parse(y));
    }

    /// <summary>Parses <paramref name="text"/> as a PEP 440 version; see <see cref="Pep440Version.TryParse"/>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Pep440Version? version) =>
        Pep440Version.TryParse(text, out version);

    /// <summary>A new list holding <paramref name="versions"/> in this comparer's order (duplicates kept).</summary>
    public static IReadOnlyList<string> Sort(IEnumerable<string> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        // Parse once per element rather than once per comparison.
        var keyed = versions.Select(v => (Text: v, Version: Parse(v))).ToArray();
        Array.Sort(keyed, (a, b) => Compare(a.Text, a.Version, b.Text, b.Version));
        var sorted = new string[keyed.Length];
        for (var i = 0; i < keyed.Length; i++)
        {
            sorted[i] = keyed[i].Text;
        }

        return sorted;
    }

    private static Pep440Version? Parse(string? text) =>
        Pep440Version.TryParse(text, out var version) ? version : null;

    private static int Compare(string? x, Pep440Version? px, string? y, Pep440Version? py)
    {
        var byClass = Class(x, px).CompareTo(Class(y, py));
        if (byClass != 0)
        {
            return byClass;
        }

        if (px is not null && py is not null)
        {
            var byVersion = px.CompareTo(py);
            if (byVersion != 0)
            {
                return byVersion;
            }
        }

        return string.CompareOrdinal(x, y);
    }

    // 0 valid < 1 not PEP 440 < 2 "unknown" < 3 null.
    private static int Class(string? text, Pep440Version? parsed) => text switch
    {
        null => 3,
        Unknown => 2,
        _ => parsed is null ? 1 : 0,
    };
}

/// <summary>
/// A parsed PEP 440 version. Equality and ordering are PEP 440's (<c>1.0 == 1.0.0</c>,
/// <c>1.0a1 == 1.0alpha1</c>); <see cref="ToString"/> gives the normalized form.
/// Numbers of any size are kept as digit strings, so nothing overflows.
/// </summary>
internal sealed record Pep440Version : IComparable<Pep440Version>
{
    // Pre-release rank; DevOnly (".devN" with no pre and no post) sorts below every pre-release
    // and None (a final or post release) above them, as in packaging's _cmpkey.
    private const int DevOnly = 0;
    private const int Alpha = 1;
    private const int Beta = 2;
    private const int ReleaseCandidate = 3;
    private const int None = 4;

    private readonly string _epoch;
    private readonly string[] _release;
    private readonly int _significant; // release length without trailing zero segments
    private readonly int _preRank;
    private readonly string _preNumber;
    private readonly string? _post;
    private readonly string? _dev;
    private readonly string[]? _local;

    private Pep440Version(string epoch, string[] release, int preKind, string preNumber, string? post, string? dev, string[]? local)
    {
        _epoch = epoch;
        _release = release;
        _significant = release.Length;
        while (_significant > 0 && release[_significant - 1] == "0")
        {
            _significant--;
        }

        _preRank = preKind != None ? preKind : post is null && dev is not null ? DevOnly : None;
        _preNumber = preNumber;
        _post = post;
        _dev = dev;
        _local = local;

        var builder = new StringBuilder();
        if (epoch != "0")
        {
            builder.Append(epoch).Append('!');
        }

        builder.AppendJoin('.', release);
        if (preKind != None)
        {
            builder.Append(preKind switch { Alpha => "a", Beta => "b", _ => "rc" }).Append(preNumber);
        }

        if (post is not null)
        {
            builder.Append(".post").Append(post);
        }

        if (dev is not null)
        {
            builder.Append(".dev").Append(dev);
        }

        PublicVersion = builder.ToString();
        Local = local is null ? null : string.Join('.', local);
        Normalized = Local is null ? PublicVersion : PublicVersion + "+" + Local;
    }

    /// <summary>The normalized form, e.g. <c>v1.0-ALPHA.1+Ubuntu-1</c> → <c>1.0a1+ubuntu.1</c>.</summary>
    public string Normalized { get; }

    /// <summary>The normalized form without the local label.</summary>
    public string PublicVersion { get; }

    /// <summary>The normalized local label (after <c>+</c>, segments joined by dots), or null.</summary>
    public string? Local { get; }

    /// <summary>True for alpha, beta, release-candidate and dev releases (PEP 440's pre-release).</summary>
    public bool IsPreRelease => _preRank != None || _dev is not null;

    /// <summary>True when the version has a <c>.postN</c> segment.</summary>
    public bool IsPostRelease => _post is not null;

    /// <summary>True when the version has a <c>.devN</c> segment.</summary>
    public bool IsDevRelease => _dev is not null;

    /// <summary>
    /// Parses a PEP 440 version: case-insensitive, surrounding whitespace and a leading <c>v</c> allowed,
    /// alternative spellings accepted (<c>alpha</c>, <c>beta</c>, <c>c</c>, <c>pre</c>, <c>preview</c>,
    /// <c>rev</c>, <c>r</c>, <c>-N</c>). A single left-to-right pass: linear in the input, no regex.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Pep440Version? version)
    {
        version = null;
        if (text is null)
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        var i = 0;
        if (i < s.Length && (s[i] is 'v' or 'V'))
        {
            i++;
        }

        // Epoch: digits followed by '!'; otherwise those digits are the first release segment.
        var epoch = "0";
        var digitsEnd = SkipDigits(s, i);
        if (digitsEnd > i && digitsEnd < s.Length && s[digitsEnd] == '!')
        {
            epoch = Number(s[i..digitsEnd]);
            i = digitsEnd + 1;
        }

        // Release: N(.N)*
        var release = new List<string>();
        digitsEnd = SkipDigits(s, i);
        if (digitsEnd == i)
        {
            return false;
        }

        release.Add(Number(s[i..digitsEnd]));
        i = digitsEnd;
        while (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            digitsEnd = SkipDigits(s, i + 1);
            release.Add(Number(s[(i + 1)..digitsEnd]));
            i = digitsEnd;
        }

        // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
        var preKind = None;
        var preNumber = "0";
        var at = SkipSeparator(s, i);
        if (MatchLabel(s, at, out var label, "alpha", "a", "beta", "b", "preview", "pre", "c", "rc"))
        {
            preKind = label[0] switch { 'a' => Alpha, 'b' => Beta, _ => ReleaseCandidate };
            i = LabelNumber(s, at + label.Length, out preNumber);
        }

        // Post-release: -N | [-_.]?(post|rev|r)[-_.]?N?
        string? post = null;
        if (i + 1 < s.Length && s[i] == '-' && char.IsAsciiDigit(s[i + 1]))
        {
            digitsEnd = SkipDigits(s, i + 1);
            post = Number(s[(i + 1)..digitsEnd]);
            i = digitsEnd;
        }
        else
        {
            at = SkipSeparator(s, i);
            if (MatchLabel(s, at, out label, "post", "rev", "r"))
            {
                i = LabelNumber(s, at + label.Length, out var number);
                post = number;
            }
        }

        // Dev release: [-_.]?dev[-_.]?N?
        string? dev = null;
        at = SkipSeparator(s, i);
        if (MatchLabel(s, at, out label, "dev"))
        {
            i = LabelNumber(s, at + label.Length, out var number);
            dev = number;
        }

        // Local label: +[a-z0-9]+([-_.][a-z0-9]+)*
        List<string>? local = null;
        if (i < s.Length && s[i] == '+')
        {
            local = [];
            i++;
            while (true)
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || char.IsAsciiLetter(s[i])))
                {
                    i++;
                }

                if (i == start)
                {
                    return false;
                }

                local.Add(LocalSegment(s[start..i]));
                if (i < s.Length && IsSeparator(s[i]))
                {
                    i++;
                    continue;
                }

                break;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        version = new Pep440Version(epoch, [.. release], preKind, preNumber, post, dev, local?.ToArray());
        return true;
    }

    /// <summary>PEP 440 order (<c>1.0.dev0 &lt; 1.0a1 &lt; 1.0 &lt; 1.0+local &lt; 1.0.post1</c>); null sorts first.</summary>
    public int CompareTo(Pep440Version? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = CompareNumbers(_epoch, other._epoch);
        if (c != 0)
        {
            return c;
        }

        // Release, with implicit zero padding: compare the significant segments only.
        var shared = Math.Min(_significant, other._significant);
        for (var k = 0; k < shared; k++)
        {
            c = CompareNumbers(_release[k], other._release[k]);
            if (c != 0)
            {
                return c;
            }
        }

        c = _significant.CompareTo(other._significant);
        if (c != 0)
        {
            return c;
        }

        c = _preRank.CompareTo(other._preRank);
        if (c != 0)
        {
            return c;
        }

        if (_preRank is Alpha or Beta or ReleaseCandidate)
        {
            c = CompareNumbers(_preNumber, other._preNumber);
            if (c != 0)
            {
                return c;
            }
        }

        // No post segment sorts first; no dev segment sorts last; no local label sorts first.
        c = CompareOptional(_post, other._post, absentFirst: true);
        if (c != 0)
        {
            return c;
        }

        c = CompareOptional(_dev, other._dev, absentFirst: false);
        if (c != 0)
        {
            return c;
        }

        return CompareLocal(_local, other._local);
    }

    /// <summary>PEP 440 equality: <c>1.0</c> equals <c>1.0.0</c>.</summary>
    public bool Equals(Pep440Version? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_epoch, StringComparer.Ordinal);
        for (var k = 0; k < _significant; k++)
        {
            hash.Add(_release[k], StringComparer.Ordinal);
        }

        hash.Add(_preRank);
        hash.Add(_preRank is Alpha or Beta or ReleaseCandidate ? _preNumber : null, StringComparer.Ordinal);
        hash.Add(_post, StringComparer.Ordinal);
        hash.Add(_dev, StringComparer.Ordinal);
        hash.Add(Local, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <summary>The normalized form.</summary>
    public override string ToString() => Normalized;

    /// <summary>PEP 440 order.</summary>
    public static bool operator <(Pep440Version? left, Pep440Version? right) => Compare(left, right) < 0;

    /// <summary>PEP 440 order.</summary>
    public static bool operator <=(Pep440Version? left, Pep440Version? right) => Compare(left, right) <= 0;

    /// <summary>PEP 440 order.</summary>
    public static bool operator >(Pep440Version? left, Pep440Version? right) => Compare(left, right) > 0;

    /// <summary>PEP 440 order.</summary>
    public static bool operator >=(Pep440Version? left, Pep440Version? right) => Compare(left, right) >= 0;

    private static int Compare(Pep440Version? left, Pep440Version? right) =>
        left is null ? (right is null ? 0 : -1) : left.CompareTo(right);

    // Normalized digit strings (no leading zeros): longer is larger, then ordinal.
    private static int CompareNumbers(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    private static int CompareOptional(string? a, string? b, bool absentFirst)
    {
        if (a is null || b is null)
        {
            var presence = (a is not null).CompareTo(b is not null);
            return absentFirst ? presence : -presence;
        }

        return CompareNumbers(a, b);
    }

    // packaging: numeric segments sort above alphanumeric ones, numerically; alphanumeric ones
    // lexicographically; a label that is a prefix of another sorts first; no label sorts first.
    private static int CompareLocal(string[]? a, string[]? b)
    {
        if (a is null || b is null)
        {
            return (a is not null).CompareTo(b is not null);
        }

        var shared = Math.Min(a.Length, b.Length);
        for (var k = 0; k < shared; k++)
        {
            var aNumeric = IsAllDigits(a[k]);
            var bNumeric = IsAllDigits(b[k]);
            var c = aNumeric != bNumeric
                ? aNumeric.CompareTo(bNumeric)
                : aNumeric ? CompareNumbers(a[k], b[k]) : string.CompareOrdinal(a[k], b[k]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static bool IsAllDigits(string s)
    {
        foreach (var ch in s)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSeparator(char c) => c is '-' or '_' or '.';

    private static int SkipSeparator(ReadOnlySpan<char> s, int i) => i < s.Length && IsSeparator(s[i]) ? i + 1 : i;

    private static int SkipDigits(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i;
    }

    // After a label: an optional separator then optional digits (absent = 0). Like the reference
    // regex, the separator is consumed even with no digits after it ("1.0a." is 1.0a0).
    private static int LabelNumber(ReadOnlySpan<char> s, int i, out string number)
    {
        i = SkipSeparator(s, i);
        var end = SkipDigits(s, i);
        number = end > i ? Number(s[i..end]) : "0";
        return end;
    }

    // The first label (ASCII, case-insensitive) found at s[i]; longer spellings are listed before their prefixes.
    private static bool MatchLabel(ReadOnlySpan<char> s, int i, out string label, params ReadOnlySpan<string> labels)
    {
        foreach (var candidate in labels)
        {
            if (StartsWithAscii(s, i, candidate))
            {
                label = candidate;
                return true;
            }
        }

        label = string.Empty;
        return false;
    }

    // ASCII-only case folding: OrdinalIgnoreCase would also accept e.g. U+017F (long s) for 's'.
    private static bool StartsWithAscii(ReadOnlySpan<char> s, int i, string lower)
    {
        if (s.Length - i < lower.Length)
        {
            return false;
        }

        for (var k = 0; k < lower.Length; k++)
        {
            if (ToLowerAscii(s[i + k]) != lower[k])
            {
                return false;
            }
        }

        return true;
    }

    private static char ToLowerAscii(char c) => char.IsAsciiLetterUpper(c) ? (char)(c + ('a' - 'A')) : c;

    // Digits without leading zeros ("007" → "7", "000" → "0").
    private static string Number(ReadOnlySpan<char> digits)
    {
        var trimmed = digits.TrimStart('0');
        return trimmed.IsEmpty ? "0" : trimmed.ToString();
    }

    private static string LocalSegment(ReadOnlySpan<char> segment)
    {
        foreach (var ch in segment)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return string.Create(segment.Length, segment.ToString(), static (dest, src) =>
                {
                    for (var k = 0; k < src.Length; k++)
                    {
                        dest[k] = ToLowerAscii(src[k]);
                    }
                });
            }
        }

        return Number(segment);
    }
}
