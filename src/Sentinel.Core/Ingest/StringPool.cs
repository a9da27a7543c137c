using System.Text;
using Sentinel.Text;

namespace Sentinel.Ingest;

/// <summary>
/// Interns the short, highly repeated strings of a batch (codes, sources, fingerprints) so
/// each distinct value is decoded and scrubbed once, not once per event. It holds at most
/// <see cref="Capacity"/> strings and verdicts: a real batch has a few thousand distinct values, and a
/// cardinality bomb (every event its own code) must not grow it (at 1,000,000 entries it held ~250 MB).
/// Past the capacity a value is decoded (and scrubbed) again each time: slower, never wrong.
/// </summary>
internal sealed class StringPool
{
    internal const int Capacity = 65_536;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _verdicts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 256)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[256];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        var key = chars[..n];
        if (_lookup.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var s = key.ToString();
        if (_strings.Count < Capacity)
        {
            _strings[s] = s;
        }

        return s;
    }

    /// <summary>The pooled instance of a string built elsewhere (a computed fingerprint).</summary>
    public string Get(string value)
    {
        if (_strings.TryGetValue(value, out var existing))
        {
            return existing;
        }

        if (_strings.Count < Capacity)
        {
            _strings[value] = value;
        }

        return value;
    }

    /// <summary>The scrubber's verdict for a pooled value, computed once per distinct value.</summary>
    public string? ScrubVerdict(string value)
    {
        if (_verdicts.TryGetValue(value, out var reason))
        {
            return reason;
        }

        reason = Scrubber.Check(value);
        if (_verdicts.Count < Capacity)
        {
            _verdicts[value] = reason;
        }

        return reason;
    }
}
