using System.Text;
using System.Text.Json;

namespace Sentinel.Ingest;

/// <summary>
/// Duplicate object keys are ambiguous JSON: System.Text.Json's reader sees both, Python's <c>json</c>
/// keeps the last, other parsers the first. What ingest reads must mean one thing, so a duplicate key in
/// anything it reads rejects that document (or that event). Keys compare as decoded text:
/// <c>"lev\u0065l"</c> is <c>"level"</c>.
/// </summary>
internal static class DuplicateKeys
{
    /// <summary>The first key that appears twice in one object anywhere in <paramref name="json"/>, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        var open = new Stack<HashSet<string>?>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    open.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.StartArray:
                    open.Push(null);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    open.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    var key = Name(ref reader);
                    if (open.Peek() is { } keys && !keys.Add(key))
                    {
                        return key;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>A property name as text; a name that cannot be decoded (lone surrogate) is compared by its raw bytes.</summary>
    public static string Name(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>Decodes the escapes of a raw (still escaped) JSON string body; the raw bytes when it cannot.</summary>
    public static byte[] Unescape(ReadOnlySpan<byte> raw)
    {
        var quoted = new byte[raw.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        try
        {
            var reader = new Utf8JsonReader(quoted);
            reader.Read();
            var buffer = new byte[raw.Length];
            return buffer.AsSpan(0, reader.CopyString(buffer)).ToArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return raw.ToArray();
        }
    }

    /// <summary>The keys seen so far in one object, reused event after event without allocating.</summary>
    internal sealed class Set
    {
        private byte[] _bytes = new byte[512];
        private readonly (int Start, int Length)[] _keys = new (int, int)[32];
        private int _count;
        private int _used;

        // Past a few dozen keys a linear scan would make one event with 100,000 keys quadratic.
        private HashSet<string>? _many;

        public void Clear()
        {
            _count = 0;
            _used = 0;
            _many = null;
        }

        /// <summary>False when <paramref name="key"/> was added before.</summary>
        public bool Add(ReadOnlySpan<byte> key)
        {
            if (_many is not null)
            {
                return _many.Add(Encoding.UTF8.GetString(key));
            }

            if (_count == 32)
            {
                _many = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < _count; i++)
                {
                    _many.Add(Encoding.UTF8.GetString(_bytes.AsSpan(_keys[i].Start, _keys[i].Length)));
                }

                return _many.Add(Encoding.UTF8.GetString(key));
            }

            for (var i = 0; i < _count; i++)
            {
                if (_bytes.AsSpan(_keys[i].Start, _keys[i].Length).SequenceEqual(key))
                {
                    return false;
                }
            }

            if (_used + key.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + key.Length));
            }

            key.CopyTo(_bytes.AsSpan(_used));
            _keys[_count++] = (_used, key.Length);
            _used += key.Length;
            return true;
        }
    }
}
