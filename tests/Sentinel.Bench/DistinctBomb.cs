using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Sentinel.Bench;

/// <summary>What <see cref="DistinctBomb.Write"/> wrote.</summary>
internal sealed record DistinctBombResult(int Timings, long ZipBytes, long EventsBytes);

/// <summary>
/// The cardinality bomb of issue 14: one zip upload whose every event is its own problem (a distinct code,
/// source and fingerprint), plus many distinct timing functions. Valid in every other respect, so ingest reads
/// it whole and only the distinct-value caps stand between it and the lake.
/// </summary>
internal static class DistinctBomb
{
    public static DistinctBombResult Write(string zipPath, long problems, string library)
    {
        var timings = (int)Math.Min(problems, 50_000);
        Directory.CreateDirectory(Path.GetDirectoryName(zipPath)!);
        long eventsBytes = 0;
        using (var file = File.Create(zipPath))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using (var w = new StreamWriter(zip.CreateEntry("bundle.json", CompressionLevel.Fastest).Open(), new UTF8Encoding(false)))
            {
                w.Write("{\"smonitor_version\":\"0.13.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"python\":{\"version\":\"3.11.9\"},");
                w.Write("\"platform\":{\"system\":\"Linux\",\"machine\":\"x86_64\"},\"runtime\":{\"run_id\":\"bomb-run\"},\"config\":{\"profile\":\"user\"},");
                w.Write("\"report\":{\"timings\":{");
                for (var i = 0; i < timings; i++)
                {
                    w.Write(string.Create(CultureInfo.InvariantCulture,
                        $"{(i == 0 ? "" : ",")}\"{library}.mod{i}.fn\":{{\"count\":10,\"p50_ms\":1.5,\"p95_ms\":2.5,\"max_ms\":3.5}}"));
                }

                w.Write("}}}");
            }

            var entry = zip.CreateEntry("events.jsonl", CompressionLevel.Fastest);
            using var stream = entry.Open();
            using var counter = new CountingStream(stream);
            using var e = new StreamWriter(counter, new UTF8Encoding(false), 1 << 16);
            for (long i = 0; i < problems; i++)
            {
                e.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"timestamp\":\"2026-10-01T12:{i / 60 % 60:00}:{i % 60:00}+00:00\",\"level\":\"ERROR\",\"source\":\"{library}.mod{i}\",\"message\":\"failed\",\"code\":\"BOMB-E{i:0000000}\",\"exception_type\":\"RuntimeError\",\"fingerprint\":\"{i:x16}\",\"extra\":{{\"library\":\"{library}\",\"version\":\"1.0.0\"}}}}\n"));
            }

            e.Flush();
            eventsBytes = counter.Written;
        }

        return new DistinctBombResult(timings, new FileInfo(zipPath).Length, eventsBytes);
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Written += count;
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
