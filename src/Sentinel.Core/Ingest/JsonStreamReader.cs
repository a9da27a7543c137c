using System.Text.Json;

namespace Sentinel.Ingest;

/// <summary>
/// Pulls tokens from a JSON document on a stream without holding it whole: the buffer only
/// ever holds the current token, or the one value a caller asked to <see cref="ReadValue"/>.
/// Utf8JsonReader is a ref struct over one span; this class carries its state across refills.
/// </summary>
internal sealed class JsonStreamReader
{
    private readonly Stream _stream;
    private readonly int _maxBuffer;
    private byte[] _buffer;
    private int _pos;
    private int _len;
    private bool _final;
    private JsonReaderState _state;
    private long _discarded; // bytes dropped from the front of the buffer so far

    public JsonStreamReader(Stream stream, int maxDepth, int maxBuffer)
    {
        _stream = stream;
        _maxBuffer = maxBuffer;
        _buffer = new byte[Math.Min(64 * 1024, maxBuffer)];
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth });
    }

    public JsonTokenType TokenType { get; private set; }

    /// <summary>Byte offset in the document of the reader's position.</summary>
    public long Offset => _discarded + _pos;

    /// <summary>The bytes of the last string or property-name token, escapes decoded (raw when over 4 KiB or undecodable).</summary>
    public ReadOnlySpan<byte> LastString => _lastString.AsSpan(0, _lastStringLength);

    private byte[] _lastString = new byte[256];
    private int _lastStringLength;

    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_pos, _len - _pos), _final, _state);
            if (reader.Read())
            {
                TokenType = reader.TokenType;
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String)
                {
                    CaptureString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
                }

                _pos += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                return true;
            }

            _pos += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            if (_final)
            {
                return false;
            }

            Refill(_maxBuffer);
        }
    }

    /// <summary>Reads the next value (after a property name or inside an array) whole.</summary>
    /// <returns>The value's bytes, valid until the next call on this reader.</returns>
    public ReadOnlySpan<byte> ReadValue(int maxBytes, out JsonTokenType firstToken)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_pos, _len - _pos), _final, _state);
            if (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                var type = reader.TokenType;
                if (type is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip())
                {
                    var end = (int)reader.BytesConsumed;
                    if (end - start > maxBytes)
                    {
                        throw new ValueTooLargeException(end - start, maxBytes);
                    }

                    var value = _buffer.AsSpan(_pos + start, end - start);
                    _pos += end;
                    _state = reader.CurrentState;
                    firstToken = type;
                    TokenType = type is JsonTokenType.StartObject ? JsonTokenType.EndObject
                        : type is JsonTokenType.StartArray ? JsonTokenType.EndArray : type;
                    return value;
                }
            }

            if (_final)
            {
                throw new JsonException("unexpected end of data");
            }

            if (_len - _pos > maxBytes)
            {
                throw new ValueTooLargeException(_len - _pos, maxBytes);
            }

            Refill(maxBytes + 4096);
        }
    }

    /// <summary>Skips the next value without buffering it whole (only its largest token).</summary>
    public void SkipValue()
    {
        if (!Read())
        {
            throw new JsonException("unexpected end of data");
        }

        if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = 1;
        while (depth > 0)
        {
            if (!Read())
            {
                throw new JsonException("unexpected end of data");
            }

            if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                depth++;
            }
            else if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                depth--;
            }
        }
    }

    public bool PropertyIs(ReadOnlySpan<byte> name) => LastString.SequenceEqual(name);

    private void CaptureString(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > _lastString.Length)
        {
            // Only property names and skipped strings pass here; keep a bounded prefix.
            raw = raw[..Math.Min(raw.Length, 4096)];
            if (raw.Length > _lastString.Length)
            {
                _lastString = new byte[raw.Length];
            }
        }

        if (raw.Length < 4096 && raw.Contains((byte)'\\'))
        {
            // Keys and values compare as decoded text: Python reads "ev\u0065nts" as "events".
            raw = DuplicateKeys.Unescape(raw);
        }

        raw.CopyTo(_lastString);
        _lastStringLength = raw.Length;
    }

    private void Refill(int limit)
    {
        var remaining = _len - _pos;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, remaining);
            _discarded += _pos;
            _pos = 0;
            _len = remaining;
        }

        if (_len == _buffer.Length)
        {
            if (_buffer.Length >= limit)
            {
                throw new ValueTooLargeException(_len, limit);
            }

            Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, limit));
        }

        var n = _stream.Read(_buffer, _len, _buffer.Length - _len);
        if (n == 0)
        {
            _final = true;
        }

        _len += n;
    }
}

/// <summary>A single JSON value or token is larger than the configured limit.</summary>
internal sealed class ValueTooLargeException(long size, long limit)
    : Exception($"a single value of at least {size:N0} bytes exceeds the limit of {limit:N0} bytes")
{
    public long Size { get; } = size;
    public long Limit { get; } = limit;
}
