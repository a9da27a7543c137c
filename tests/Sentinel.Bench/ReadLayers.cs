using System.Diagnostics;
using System.Globalization;
using Sentinel.Ingest;

namespace Sentinel.Bench;

/// <summary>
/// <c>sentinel-bench read-layers --file events.jsonl</c>: where the reading thread's time goes on one large
/// events.jsonl (issue 19): the file read alone, then with the upload's SHA-256, then with the Python-dialect pass
/// (UTF-8 check, NaN/Infinity), then split into lines, each layer timed on its own pass (best of 3).
/// </summary>
public static class ReadLayers
{
    public static IReadOnlyList<(string Layer, double Seconds)> Run(string file)
    {
        var layers = new (string, Func<Stream, Stream>, bool)[]
        {
            ("read (FileStream)", s => s, false),
            ("+ SHA-256 of the upload", s => new HashingStream(s), false),
            ("+ Python-dialect pass (UTF-8, NaN)", s => new PythonJsonStream(new HashingStream(s)), false),
            ("+ line split (JsonLineReader)", s => new PythonJsonStream(new HashingStream(s)), true),
        };
        var results = new List<(string, double)>();
        foreach (var (name, wrap, split) in layers)
        {
            var best = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                using var raw = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var stream = wrap(raw);
                var clock = Stopwatch.StartNew();
                long lines = 0;
                if (split)
                {
                    var reader = new JsonLineReader(stream, 1 << 20);
                    while (reader.Next(out _, out _, out _))
                    {
                        lines++;
                    }
                }
                else
                {
                    var buffer = new byte[1 << 16];
                    while (stream.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }

                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }

            results.Add((name, best));
        }

        return results;
    }

    public static string Format((string Layer, double Seconds) r, long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Layer,-40} {r.Seconds,8:0.000} s {bytes / 1048576.0 / r.Seconds,8:0} MiB/s");
}
