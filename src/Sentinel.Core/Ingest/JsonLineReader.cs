namespace Sentinel.Ingest;

/// <summary>Splits a stream into lines without holding more than one line (bounded) in memory.</summary>
internal sealed class JsonLineReader(Stream stream, int maxLineBytes) : IEventValues
{
    private byte[] _buffer = new byte[Math.Min(256 * 1024, maxLineBytes + 1)];
    private int _start;
    private int _end;
    private bool _eof;
    private int _lineNumber;

    /// <summary>Next non-blank line; <paramref name="tooLong"/> when it exceeded the limit (content skipped).</summary>
    public bool Next(out ReadOnlySpan<byte> line, out int number, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            var window = _buffer.AsSpan(_start, _end - _start);
            var nl = window.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _lineNumber++;
                line = TrimCr(window[..nl]);
                _start += nl + 1;
                if (IsBlank(line))
                {
                    continue;
                }

                number = _lineNumber;
                return true;
            }

            if (_eof)
            {
                if (window.Length == 0)
                {
                    line = default;
                    number = _lineNumber;
                    return false;
                }

                _lineNumber++;
                _start = _end;
                line = TrimCr(window);
                if (IsBlank(line))
                {
                    continue;
                }

                number = _lineNumber;
                return true;
            }

            if (window.Length > maxLineBytes)
            {
                // Over the limit: discard up to the next newline without buffering it.
                _lineNumber++;
                number = _lineNumber;
                SkipToNewline();
                tooLong = true;
                line = default;
                return true;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxLineBytes + 65536));
        }

        var n = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0)
        {
            _eof = true;
        }

        _end += n;
    }

    private void SkipToNewline()
    {
        while (true)
        {
            var window = _buffer.AsSpan(_start, _end - _start);
            var nl = window.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _start += nl + 1;
                return;
            }

            _start = _end = 0;
            if (_eof)
            {
                return;
            }

            var n = stream.Read(_buffer, 0, _buffer.Length);
            if (n == 0)
            {
                _eof = true;
            }

            _end = n;
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == '\r' ? s[..^1] : s;

    private static bool IsBlank(ReadOnlySpan<byte> s) => s.Trim(" \t"u8).IsEmpty;
}
