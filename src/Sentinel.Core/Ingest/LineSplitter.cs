namespace Sentinel.Ingest;

/// <summary>Receives one line of a JSON Lines body; return false to stop.</summary>
/// <param name="line">The line without its newline and without a trailing CR; empty when <paramref name="tooLong"/>.</param>
/// <param name="number">1-based physical line number (blank lines count).</param>
internal delegate bool LineHandler(ReadOnlySpan<byte> line, int number, bool tooLong);

/// <summary>
/// Splits a JSON Lines body pushed in chunks of any size (an HTTP body, a file read in blocks) into lines,
/// holding at most one line of <c>maxLineBytes</c> in memory. Blank lines (spaces and tabs only) are skipped
/// but counted. Serve and ingest both read telemetry through this one splitter, so they number lines alike.
/// </summary>
internal sealed class LineSplitter(int maxLineBytes)
{
    private readonly byte[] _carry = new byte[maxLineBytes];
    private int _carryLength;
    private bool _skipping;
    private int _lineNumber;

    /// <summary>Lines seen so far (blank ones included).</summary>
    public int Lines => _lineNumber;

    /// <summary>Feeds the next chunk; false when the handler asked to stop.</summary>
    public bool Feed(ReadOnlySpan<byte> chunk, LineHandler handler)
    {
        while (!chunk.IsEmpty)
        {
            var nl = chunk.IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (_skipping)
                {
                    return true;
                }

                if (_carryLength + chunk.Length > maxLineBytes)
                {
                    // Over the limit before its end arrived: report it now, drop the rest of the line unread.
                    _lineNumber++;
                    _skipping = true;
                    _carryLength = 0;
                    return handler(default, _lineNumber, tooLong: true);
                }

                chunk.CopyTo(_carry.AsSpan(_carryLength));
                _carryLength += chunk.Length;
                return true;
            }

            var part = chunk[..nl];
            chunk = chunk[(nl + 1)..];
            if (_skipping)
            {
                _skipping = false; // the end of a line already reported as too long
                continue;
            }

            _lineNumber++;
            if (_carryLength + part.Length > maxLineBytes)
            {
                _carryLength = 0;
                if (!handler(default, _lineNumber, tooLong: true))
                {
                    return false;
                }

                continue;
            }

            ReadOnlySpan<byte> line;
            if (_carryLength == 0)
            {
                line = part;
            }
            else
            {
                part.CopyTo(_carry.AsSpan(_carryLength));
                line = _carry.AsSpan(0, _carryLength + part.Length);
                _carryLength = 0;
            }

            line = TrimCr(line);
            if (!IsBlank(line) && !handler(line, _lineNumber, tooLong: false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>At the end of the body: the last line may have no newline.</summary>
    public bool Finish(LineHandler handler)
    {
        if (_skipping || _carryLength == 0)
        {
            return true;
        }

        _lineNumber++;
        var line = TrimCr(_carry.AsSpan(0, _carryLength));
        _carryLength = 0;
        return IsBlank(line) || handler(line, _lineNumber, tooLong: false);
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == '\r' ? s[..^1] : s;

    private static bool IsBlank(ReadOnlySpan<byte> s) => s.Trim(" \t"u8).IsEmpty;
}
