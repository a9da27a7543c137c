using System.Buffers;
using System.Text.Unicode;

namespace Sentinel.Ingest;

/// <summary>
/// Read-only decorator that turns Python's JSON dialect into strict JSON while it streams:
/// bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> outside strings become <c>null</c>
/// (no kept field needs them, DESIGN §2), and the bytes are checked to be UTF-8.
/// System.Text.Json has no switch for bare non-finite literals, hence this pass.
/// </summary>
internal sealed class PythonJsonStream : ReadOnlyStream
{
    private static readonly SearchValues<byte> OutsideStops = SearchValues.Create("\"NI-\n"u8);
    private static readonly SearchValues<byte> InsideStops = SearchValues.Create("\"\\\n"u8);

    private readonly Stream _inner;
    private readonly byte[] _in = new byte[64 * 1024];
    private int _inStart;
    private int _inEnd;
    private bool _innerDone;

    // Lexer state carried across reads.
    private bool _inString;
    private bool _escape;
    private int _literalRemaining;   // bytes of a NaN/Infinity literal still to drop
    private bool _pendingMinus;      // a '-' whose meaning depends on the next byte
    private readonly byte[] _utf8Carry = new byte[4];
    private int _utf8CarryLength;
    private long _offset;

    public PythonJsonStream(Stream inner) => _inner = inner;

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_outStart == _outEnd && !Produce())
        {
            return 0;
        }

        var n = Math.Min(destination.Length, _outEnd - _outStart);
        _out.AsSpan(_outStart, n).CopyTo(destination);
        _outStart += n;
        return n;
    }

    private readonly byte[] _out = new byte[(64 * 1024 * 2) + 8];
    private int _outStart;
    private int _outEnd;

    private bool Produce()
    {
        _outStart = _outEnd = 0;
        while (true)
        {
            if (_inStart == _inEnd && !Fill())
            {
                if (_pendingMinus)
                {
                    _pendingMinus = false;
                    _out[0] = (byte)'-';
                    _outEnd = 1;
                    return true;
                }

                if (_utf8CarryLength > 0)
                {
                    throw new InvalidDataException($"not valid UTF-8: truncated sequence at byte {_offset - _utf8CarryLength}");
                }

                return false;
            }

            // Output grows by at most 1 byte per input byte ("NaN" -> "null"): _out holds 2x the input chunk.
            _outEnd = Transform(_out);
            if (_outEnd > 0)
            {
                return true;
            }
        }
    }

    private bool Fill()
    {
        if (_innerDone)
        {
            return false;
        }

        var n = _inner.Read(_in, 0, _in.Length);
        if (n == 0)
        {
            _innerDone = true;
            return false;
        }

        ValidateUtf8(_in.AsSpan(0, n));
        // A leading byte-order mark (Windows editors add one when a user redacts a bundle by hand) is
        // not JSON, and System.Text.Json's reader refuses it: dropped here, once, at the very start.
        _inStart = _offset == 0 && _in.AsSpan(0, n).StartsWith("\uFEFF"u8) ? 3 : 0;
        _inEnd = n;
        _offset += n;
        return true;
    }

    private void ValidateUtf8(ReadOnlySpan<byte> chunk)
    {
        // A multi-byte sequence may straddle two reads: validate the carried head together with
        // the start of this chunk, and carry any incomplete tail forward.
        var start = 0;
        if (_utf8CarryLength > 0)
        {
            Span<byte> joined = stackalloc byte[8];
            _utf8Carry.AsSpan(0, _utf8CarryLength).CopyTo(joined);
            var take = Math.Min(4, chunk.Length);
            chunk[..take].CopyTo(joined[_utf8CarryLength..]);
            var need = SequenceLength(joined[0]);
            if (need == 0 || _utf8CarryLength + take < need || !Utf8.IsValid(joined[..need]))
            {
                throw new InvalidDataException($"not valid UTF-8 at byte {_offset - _utf8CarryLength}");
            }

            start = need - _utf8CarryLength;
            _utf8CarryLength = 0;
        }

        var body = chunk[start..];
        var tail = IncompleteTailLength(body);
        if (!Utf8.IsValid(body[..^tail]))
        {
            var bad = FirstInvalid(body[..^tail]);
            throw new InvalidDataException($"not valid UTF-8 at byte {_offset + start + bad} (the file is probably in a legacy encoding such as Windows-1252; smonitor writes UTF-8)");
        }

        body[^tail..].CopyTo(_utf8Carry);
        _utf8CarryLength = tail;
    }

    private static int FirstInvalid(ReadOnlySpan<byte> span)
    {
        var status = Utf8.ToUtf16(span, new char[span.Length], out var read, out _, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? span.Length : read;
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    private static int IncompleteTailLength(ReadOnlySpan<byte> span)
    {
        // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
        for (var back = 1; back <= Math.Min(3, span.Length); back++)
        {
            var b = span[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte
            }

            var len = SequenceLength(b);
            return len > back ? back : 0;
        }

        return 0;
    }

    private int Transform(Span<byte> dst)
    {
        var src = _in.AsSpan(_inStart, _inEnd - _inStart);
        var max = Math.Min(src.Length, dst.Length / 2);
        var i = 0;
        var o = 0;
        if (_pendingMinus && max > 0)
        {
            _pendingMinus = false;
            if (src[0] == (byte)'I')
            {
                _literalRemaining = "Infinity".Length;
            }
            else
            {
                dst[o++] = (byte)'-';
            }
        }

        while (i < max)
        {
            if (_literalRemaining > 0)
            {
                var skip = Math.Min(_literalRemaining, max - i);
                i += skip;
                _literalRemaining -= skip;
                if (_literalRemaining == 0)
                {
                    "null"u8.CopyTo(dst[o..]);
                    o += 4;
                }

                continue;
            }

            var rest = src[i..max];
            if (_inString)
            {
                if (_escape)
                {
                    dst[o++] = src[i++];
                    _escape = false;
                    continue;
                }

                var k = rest.IndexOfAny(InsideStops);
                var copy = k < 0 ? rest.Length : k;
                rest[..copy].CopyTo(dst[o..]);
                o += copy;
                i += copy;
                if (k < 0)
                {
                    continue;
                }

                var c = src[i++];
                dst[o++] = c;
                if (c == (byte)'\n')
                {
                    // A raw newline never occurs inside a valid JSON string: the line was cut short.
                    // Resynchronise so the next JSON Lines record is read with a clean state.
                    _inString = false;
                }
                else if (c == (byte)'\\')
                {
                    _escape = true;
                }
                else
                {
                    _inString = false;
                }

                continue;
            }

            var j = rest.IndexOfAny(OutsideStops);
            var n = j < 0 ? rest.Length : j;
            rest[..n].CopyTo(dst[o..]);
            o += n;
            i += n;
            if (j < 0)
            {
                continue;
            }

            var ch = src[i];
            switch (ch)
            {
                case (byte)'\n':
                    dst[o++] = ch;
                    i++;
                    break;
                case (byte)'"':
                    dst[o++] = ch;
                    i++;
                    _inString = true;
                    break;
                case (byte)'N':
                    // Outside a string only NaN starts with N in Python's output; a malformed
                    // token still fails later in the strict parser because "null" is legal only as a value.
                    _literalRemaining = "NaN".Length;
                    break;
                case (byte)'I':
                    _literalRemaining = "Infinity".Length;
                    break;
                default: // '-'
                    i++;
                    if (i < max)
                    {
                        if (src[i] == (byte)'I')
                        {
                            _literalRemaining = "Infinity".Length;
                        }
                        else
                        {
                            dst[o++] = (byte)'-';
                        }
                    }
                    else
                    {
                        _pendingMinus = true;
                    }

                    break;
            }
        }

        _inStart += i;
        return o;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
