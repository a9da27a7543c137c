namespace Sentinel.Ingest;

/// <summary>
/// CRC-32 (IEEE, the zip checksum) and length of everything read through it. A zip's headers can lie
/// about a member's size; its checksum then fails, and the member is reported as damaged instead of
/// being read as its first part (System.IO.Hashing is not a dependency for 20 lines).
/// </summary>
internal sealed class Crc32Stream(Stream inner) : ReadOnlyStream
{
    private static readonly uint[] Table = BuildTable();
    private uint _crc = 0xFFFFFFFF;

    public uint Crc32 => ~_crc;

    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        var crc = _crc;
        foreach (var b in buffer[..n])
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        _crc = crc;
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
