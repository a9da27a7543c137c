using System.Buffers;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sentinel.Bench;

/// <summary>The shapes a generated bundle can take (the shapes smonitor users upload).</summary>
internal enum BundleShape
{
    Directory,
    Json,
    Zip,
    TarGz,
}

/// <param name="Corpus">A folder of real smonitor bundles (any shape); a <c>bad/</c> folder in it is skipped.</param>
/// <param name="Out">The folder to write the bundles to: must not exist or be empty.</param>
/// <param name="Ndjson">The side folder for the same events as one NDJSON file per bundle (the DuckDB baseline's input).</param>
/// <param name="SingleRunBytes">
/// When set, Events and Bundles are ignored: one directory bundle replays one corpus run until its
/// events.jsonl reaches this many bytes (the large single-run upload of issue 9).
/// </param>
internal sealed record GenBundlesOptions(string Corpus, string Out, string Ndjson, long Events, long Bundles, long Seed, IReadOnlyList<BundleShape> Shapes,
    long? SingleRunBytes = null);

/// <param name="BundleBytes">Bytes written under Out (archives compressed).</param>
/// <param name="EventBytes">Bytes of the events as NDJSON (the same in every shape, uncompressed).</param>
internal sealed record GenBundlesResult(long Events, long Bundles, int SourceRuns, long BundleBytes, long EventBytes, double Seconds);

/// <summary>
/// Writes a scale set of smonitor bundles by resampling the real events of a corpus: generated bundle
/// <c>b</c> replays one corpus run (round-robin from a seed-dependent start), cycling through its events
/// with a fresh run id, fresh strictly increasing timestamps and jittered per-run timings. Every
/// bundle depends only on (corpus, seed, b), so bundles are written in parallel and the output is the
/// same for the same seed. See docs/benchmarks.md.
/// </summary>
internal static class BundleGenerator
{
    // Generated runs start inside the corpus's own 60-day window (2026-09-25 .. 2026-11-24).
    private static readonly DateTime WindowStart = new(2026, 9, 25, 0, 0, 0, DateTimeKind.Utc);
    private const long WindowTicks = 59 * TimeSpan.TicksPerDay;
    private static readonly DateTimeOffset EntryTime = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private const int TimestampLength = 32; // 2026-10-02T03:27:20.914236+00:00

    private static readonly JsonSerializerOptions HeaderJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // like ensure_ascii=False
    };

    private static readonly JsonWriterOptions EventWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<BundleShape> ParseShapes(string text)
    {
        var shapes = new List<BundleShape>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            shapes.Add(part.ToLowerInvariant() switch
            {
                "dir" or "directory" => BundleShape.Directory,
                "json" => BundleShape.Json,
                "zip" => BundleShape.Zip,
                "tar.gz" or "tgz" => BundleShape.TarGz,
                _ => throw new GenLakeException($"--shapes: unknown shape '{part}' (expected json, dir, zip, tar.gz)"),
            });
        }

        return shapes.Count > 0 ? shapes : throw new GenLakeException("--shapes: no shape given");
    }

    public static GenBundlesResult Run(GenBundlesOptions options)
    {
        var clock = Stopwatch.StartNew();
        if (options.SingleRunBytes is null && options.Bundles > options.Events)
        {
            throw new GenLakeException($"--bundles {options.Bundles} is more than the {options.Events} events to spread over them");
        }

        var runs = SourceRun.LoadCorpus(options.Corpus);
        if (runs.Count == 0)
        {
            throw new GenLakeException($"{options.Corpus}: no bundle with events found");
        }

        if (options.SingleRunBytes is { } bytes)
        {
            // Bundle 0 replays runs[start] (see below): as many of its events as fill the size.
            var run = runs[(int)(Mix(options.Seed, 0, "start") % (ulong)runs.Count)];
            options = options with { Events = run.EventsFilling(bytes), Bundles = 1, Shapes = [BundleShape.Directory] };
        }

        foreach (var dir in new[] { options.Out, options.Ndjson })
        {
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                throw new GenLakeException($"{dir}: not empty; give a new or empty folder");
            }

            Directory.CreateDirectory(dir);
        }

        long bundleBytes = 0, eventBytes = 0;
        var start = (int)(Mix(options.Seed, 0, "start") % (ulong)runs.Count);
        var baseCount = options.Events / options.Bundles;
        var extra = options.Events % options.Bundles;
        Parallel.For(0, options.Bundles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
        {
            var run = runs[(int)((start + b) % runs.Count)];
            var events = baseCount + (b < extra ? 1 : 0);
            var shape = options.Shapes[(int)(b % options.Shapes.Count)];
            var (written, ndjson) = new BundleWriter(options, run, b, events, shape).Write();
            Interlocked.Add(ref bundleBytes, written);
            Interlocked.Add(ref eventBytes, ndjson);
        });

        return new GenBundlesResult(options.Events, options.Bundles, runs.Count, bundleBytes, eventBytes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A 64-bit value from SHA-256 of (seed, bundle, purpose): the only source of randomness.</summary>
    private static ulong Mix(long seed, long bundle, string purpose)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}|{bundle}|{purpose}")), hash);
        return BitConverter.ToUInt64(hash);
    }

    private static string HexId(long seed, long bundle, string purpose)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}|{bundle}|{purpose}")), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>One real event as its JSON bytes, with where its top-level timestamp and run_id values sit.</summary>
    private sealed class EventTemplate
    {
        public required byte[] Bytes { get; init; }
        public int TimestampStart { get; init; } = -1; // the opening quote
        public int TimestampEnd { get; init; } = -1;   // after the closing quote
        public int RunIdStart { get; init; } = -1;
        public int RunIdEnd { get; init; } = -1;
        public string? RunId { get; init; }
        public long Ticks { get; init; }               // original timestamp (0 when missing or unparsable)

        public static EventTemplate From(byte[] bytes)
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("an event is not a JSON object");
            }

            int tsStart = -1, tsEnd = -1, runStart = -1, runEnd = -1;
            string? runId = null;
            long ticks = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTimestamp = reader.ValueTextEquals("timestamp"u8);
                var isRunId = reader.ValueTextEquals("run_id"u8);
                reader.Read();
                var tokenStart = (int)reader.TokenStartIndex;
                if (reader.TokenType == JsonTokenType.String && isTimestamp && tsStart < 0)
                {
                    (tsStart, tsEnd) = (tokenStart, (int)reader.BytesConsumed);
                    if (DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                    {
                        ticks = time.UtcTicks;
                    }
                }
                else if (reader.TokenType == JsonTokenType.String && isRunId && runStart < 0)
                {
                    (runStart, runEnd, runId) = (tokenStart, (int)reader.BytesConsumed, reader.GetString());
                }

                reader.Skip();
            }

            return new EventTemplate
            {
                Bytes = bytes, TimestampStart = tsStart, TimestampEnd = tsEnd, RunIdStart = runStart, RunIdEnd = runEnd,
                RunId = runId, Ticks = ticks,
            };
        }
    }

    /// <summary>One distinct corpus run: its bundle header (events removed) and its events.</summary>
    private sealed class SourceRun
    {
        public required string Name { get; init; }
        public required JsonObject Header { get; init; }
        public required string? RunId { get; init; }
        public required EventTemplate[] Events { get; init; }
        public long FirstTicks { get; private set; }
        public long SpanTicks { get; private set; }

        /// <summary>How many events, cycled, fill <paramref name="bytes"/> of NDJSON once spliced (at least one).</summary>
        public long EventsFilling(long bytes)
        {
            long total = 0, count = 0;
            while (total < bytes)
            {
                var e = Events[count % Events.Length];
                // Splice swaps the timestamp for a 32-character one and the run id for a 32-hex one, both quoted.
                total += e.Bytes.Length + 1
                    - (e.TimestampStart >= 0 ? e.TimestampEnd - e.TimestampStart - (TimestampLength + 2) : 0)
                    - (e.RunIdStart >= 0 ? e.RunIdEnd - e.RunIdStart - 34 : 0);
                count++;
            }

            return Math.Max(count, 1);
        }

        public static List<SourceRun> LoadCorpus(string corpus)
        {
            if (!Directory.Exists(corpus))
            {
                throw new GenLakeException($"{corpus}: corpus folder not found");
            }

            var runs = new List<SourceRun>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in Walk(corpus))
            {
                // Corpus archives often repack a directory bundle: the same run counts once.
                if (run.Events.Length > 0 && seen.Add(run.RunId ?? run.Name))
                {
                    var timed = run.Events.Where(e => e.Ticks > 0).Select(e => e.Ticks).ToList();
                    run.FirstTicks = timed.Count > 0 ? timed.Min() : 0;
                    run.SpanTicks = (timed.Count > 0 ? timed.Max() - run.FirstTicks : 0) + TimeSpan.TicksPerMillisecond;
                    runs.Add(run);
                }
            }

            return runs;
        }

        private static IEnumerable<SourceRun> Walk(string dir)
        {
            if (File.Exists(Path.Combine(dir, "bundle.json")))
            {
                var run = TryLoad(dir, () => FromParts(Path.GetFileName(dir), File.ReadAllBytes(Path.Combine(dir, "bundle.json")),
                    File.Exists(Path.Combine(dir, "events.jsonl")) ? File.ReadAllBytes(Path.Combine(dir, "events.jsonl")) : null));
                if (run is not null)
                {
                    yield return run;
                }

                yield break;
            }

            foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(entry);
                if (name.StartsWith('.') || name == "bad" || name == "expected.json")
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    foreach (var run in Walk(entry))
                    {
                        yield return run;
                    }

                    continue;
                }

                var lower = name.ToLowerInvariant();
                var loaded = lower.EndsWith(".json", StringComparison.Ordinal) || lower.EndsWith(".jsonl", StringComparison.Ordinal)
                    ? TryLoad(entry, () => FromParts(BaseName(name), File.ReadAllBytes(entry), null))
                    : lower.EndsWith(".zip", StringComparison.Ordinal) ? TryLoad(entry, () => FromZip(entry))
                    : lower.EndsWith(".tar.gz", StringComparison.Ordinal) || lower.EndsWith(".tgz", StringComparison.Ordinal) ? TryLoad(entry, () => FromTarGz(entry))
                    : null;
                if (loaded is not null)
                {
                    yield return loaded;
                }
            }
        }

        private static string BaseName(string name)
        {
            foreach (var suffix in new[] { ".tar.gz", ".tgz", ".zip", ".jsonl", ".json" })
            {
                if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return name[..^suffix.Length];
                }
            }

            return name;
        }

        private static SourceRun? TryLoad(string path, Func<SourceRun> load)
        {
            try
            {
                return load();
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException or InvalidOperationException or FormatException)
            {
                Console.Error.WriteLine($"gen-bundles: skipping {path}: {e.Message}");
                return null;
            }
        }

        private static SourceRun FromZip(string path)
        {
            using var zip = ZipFile.OpenRead(path);
            byte[]? header = null, events = null;
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith("bundle.json", StringComparison.Ordinal))
                {
                    header ??= ReadAll(entry.Open());
                }
                else if (entry.FullName.EndsWith("events.jsonl", StringComparison.Ordinal))
                {
                    events ??= ReadAll(entry.Open());
                }
            }

            return FromParts(BaseName(Path.GetFileName(path)), header ?? throw new InvalidDataException("no bundle.json"), events);
        }

        private static SourceRun FromTarGz(string path)
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            byte[]? header = null, events = null;
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null)
                {
                    continue;
                }

                if (entry.Name.EndsWith("bundle.json", StringComparison.Ordinal))
                {
                    header ??= ReadAll(entry.DataStream);
                }
                else if (entry.Name.EndsWith("events.jsonl", StringComparison.Ordinal))
                {
                    events ??= ReadAll(entry.DataStream);
                }
            }

            return FromParts(BaseName(Path.GetFileName(path)), header ?? throw new InvalidDataException("no bundle.json"), events);
        }

        private static byte[] ReadAll(Stream stream)
        {
            using (stream)
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }
        }

        /// <summary>A bundle from its bundle.json (or single-file JSON) and optional events.jsonl.</summary>
        private static SourceRun FromParts(string name, byte[] headerBytes, byte[]? eventsJsonl)
        {
            var header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new JsonException("bundle is not a JSON object");
            var events = new List<EventTemplate>();
            if (header["events"] is JsonArray inline)
            {
                foreach (var item in inline)
                {
                    if (item is JsonObject)
                    {
                        var buffer = new ArrayBufferWriter<byte>();
                        using (var writer = new Utf8JsonWriter(buffer, EventWriter))
                        {
                            item.WriteTo(writer);
                        }

                        events.Add(EventTemplate.From(buffer.WrittenSpan.ToArray()));
                    }
                }

                header["events"] = new JsonArray();
            }

            if (eventsJsonl is not null)
            {
                var span = eventsJsonl.AsSpan();
                while (!span.IsEmpty)
                {
                    var end = span.IndexOf((byte)'\n');
                    var line = (end < 0 ? span : span[..end]).TrimEnd((byte)'\r').Trim((byte)' ');
                    span = end < 0 ? [] : span[(end + 1)..];
                    if (!line.IsEmpty)
                    {
                        events.Add(EventTemplate.From(line.ToArray()));
                    }
                }
            }

            var runId = header["runtime"] is JsonObject runtime && runtime["run_id"] is JsonValue value
                && value.TryGetValue<string>(out var id) ? id : null;
            return new SourceRun { Name = name, Header = header, RunId = runId, Events = [.. events] };
        }
    }

    /// <summary>Writes one generated bundle and its NDJSON twin.</summary>
    private sealed class BundleWriter(GenBundlesOptions options, SourceRun run, long bundle, long events, BundleShape shape)
    {
        private readonly Dictionary<string, string> _runIds = new(StringComparer.Ordinal);
        private readonly string _runId = HexId(options.Seed, bundle, "run");
        private readonly string _name = string.Create(CultureInfo.InvariantCulture, $"g{bundle:D5}_{run.Name}");
        private readonly long _baseTicks = WindowStart.Ticks + (long)(Mix(options.Seed, bundle, "time") % WindowTicks);
        private long _ndjsonBytes;
        private long _lastTicks;

        public (long BundleBytes, long NdjsonBytes) Write()
        {
            if (run.RunId is not null)
            {
                _runIds[run.RunId] = _runId;
            }

            foreach (var e in run.Events)
            {
                if (e.RunId is not null && !_runIds.ContainsKey(e.RunId))
                {
                    _runIds[e.RunId] = HexId(options.Seed, bundle, "run|" + e.RunId);
                }
            }

            // The header (generated_at) needs the last event's time, which single-file JSON writes first.
            var last = 0L;
            for (long i = 0; i < events; i++)
            {
                last = NextTicks(i, last);
            }

            _lastTicks = last;

            using var ndjson = new FileStream(Path.Combine(options.Ndjson, _name + ".jsonl"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            return shape switch
            {
                BundleShape.Directory => WriteDirectory(ndjson),
                BundleShape.Json => WriteJson(ndjson),
                BundleShape.Zip => WriteZip(ndjson),
                _ => WriteTarGz(ndjson),
            };
        }

        private (long, long) WriteDirectory(Stream ndjson)
        {
            var dir = Path.Combine(options.Out, _name);
            Directory.CreateDirectory(dir);
            var eventsPath = Path.Combine(dir, "events.jsonl");
            using (var file = Create(eventsPath))
            {
                WriteEvents(file, ndjson, separator: null);
            }

            var headerPath = Path.Combine(dir, "bundle.json");
            using (var file = Create(headerPath))
            {
                WriteHeader(file);
            }

            return (new FileInfo(eventsPath).Length + new FileInfo(headerPath).Length, _ndjsonBytes);
        }

        private (long, long) WriteJson(Stream ndjson)
        {
            var path = Path.Combine(options.Out, _name + ".json");
            using (var file = Create(path))
            {
                // The header's keys in their order, with the events streamed in where "events" was.
                var header = Header();
                file.Write("{\n"u8);
                var first = true;
                foreach (var (key, value) in header)
                {
                    file.Write(first ? "  "u8 : ",\n  "u8);
                    first = false;
                    file.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(key, HeaderJson)));
                    file.Write(": "u8);
                    if (key == "events")
                    {
                        file.Write("[\n"u8);
                        WriteEvents(file, ndjson, separator: ",\n"u8.ToArray());
                        file.Write("\n  ]"u8);
                    }
                    else
                    {
                        file.Write(Encoding.UTF8.GetBytes(value?.ToJsonString(HeaderJson) ?? "null"));
                    }
                }

                file.Write("\n}"u8);
            }

            return (new FileInfo(path).Length, _ndjsonBytes);
        }

        private (long, long) WriteZip(Stream ndjson)
        {
            var path = Path.Combine(options.Out, _name + ".zip");
            var folder = Folder();
            using (var file = Create(path))
            {
                using var zip = new ZipArchive(file, ZipArchiveMode.Create);
                var header = zip.CreateEntry(folder + "bundle.json", CompressionLevel.Fastest);
                header.LastWriteTime = EntryTime;
                using (var stream = header.Open())
                {
                    WriteHeader(stream);
                }

                var entry = zip.CreateEntry(folder + "events.jsonl", CompressionLevel.Fastest);
                entry.LastWriteTime = EntryTime;
                using (var stream = entry.Open())
                {
                    WriteEvents(stream, ndjson, separator: null);
                }
            }

            return (new FileInfo(path).Length, _ndjsonBytes);
        }

        private (long, long) WriteTarGz(Stream ndjson)
        {
            var path = Path.Combine(options.Out, _name + ".tar.gz");
            var folder = Folder();
            var user = run.Name[(run.Name.LastIndexOf('_') + 1)..];
            using (var file = Create(path))
            {
                using var gzip = new GZipStream(file, CompressionLevel.Fastest);
                using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
                if (folder.Length > 0)
                {
                    tar.WriteEntry(Entry(TarEntryType.Directory, folder, user, null));
                }

                // A tar entry needs its length up front: the events are staged in memory.
                using var events = new MemoryStream();
                WriteEvents(events, ndjson, separator: null);
                using var header = new MemoryStream();
                WriteHeader(header);
                header.Position = 0;
                tar.WriteEntry(Entry(TarEntryType.RegularFile, folder + "bundle.json", user, header));
                events.Position = 0;
                tar.WriteEntry(Entry(TarEntryType.RegularFile, folder + "events.jsonl", user, events));
            }

            return (new FileInfo(path).Length, _ndjsonBytes);
        }

        private static UstarTarEntry Entry(TarEntryType type, string name, string user, Stream? data)
        {
            var entry = new UstarTarEntry(type, name)
            {
                ModificationTime = EntryTime,
                UserName = user,
                GroupName = user,
                Uid = 1000,
                Gid = 1000,
                Mode = type == TarEntryType.Directory
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            if (data is not null)
            {
                entry.DataStream = data;
            }

            return entry;
        }

        /// <summary>Archives are packed flat, inside smonitor_bundle/ (the CLI default), or inside a folder named like them.</summary>
        private string Folder() => (bundle / options.Shapes.Count % 3) switch
        {
            0 => "smonitor_bundle/",
            1 => _name + "/",
            _ => "",
        };

        private static FileStream Create(string path) => new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);

        /// <summary>The events: the run's events cycled, each with a fresh timestamp and run id.</summary>
        private void WriteEvents(Stream target, Stream ndjson, byte[]? separator)
        {
            var last = 0L;
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            var runIdBytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (from, to) in _runIds)
            {
                runIdBytes[from] = Encoding.UTF8.GetBytes("\"" + to + "\"");
            }

            try
            {
                var source = run.Events;
                for (long i = 0; i < events; i++)
                {
                    var e = source[i % source.Length];
                    var ticks = NextTicks(i, last);
                    last = ticks;
                    var needed = e.Bytes.Length + TimestampLength + 64 + 1;
                    if (buffer.Length < needed)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    var length = Splice(e, new DateTime(ticks, DateTimeKind.Utc), runIdBytes, buffer);
                    if (separator is not null && i > 0)
                    {
                        target.Write(separator);
                    }

                    target.Write(buffer, 0, separator is null ? length + 1 : length);
                    ndjson.Write(buffer, 0, length + 1);
                    _ndjsonBytes += length + 1;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

        }

        /// <summary>Event i's time: the run's own relative timing, cycle after cycle, strictly increasing, whole microseconds.</summary>
        private long NextTicks(long i, long last)
        {
            var e = run.Events[i % run.Events.Length];
            var cycle = i / run.Events.Length;
            var ticks = _baseTicks + (e.Ticks > 0 ? e.Ticks - run.FirstTicks : 0) + (cycle * run.SpanTicks);
            ticks -= ticks % 10;
            return ticks > last ? ticks : last + 10;
        }

        /// <summary>Copies the event into buffer with the new values, then a newline; returns the length without it.</summary>
        private static int Splice(EventTemplate e, DateTime time, Dictionary<string, byte[]> runIds, byte[] buffer)
        {
            var source = e.Bytes.AsSpan();
            var output = buffer.AsSpan();
            var at = 0;
            var from = 0;
            // The two top-level values in file order (smonitor writes timestamp first, run_id later).
            var firstIsTimestamp = e.RunIdStart < 0 || (e.TimestampStart >= 0 && e.TimestampStart < e.RunIdStart);
            for (var pass = 0; pass < 2; pass++)
            {
                var timestamp = (pass == 0) == firstIsTimestamp;
                var start = timestamp ? e.TimestampStart : e.RunIdStart;
                if (start < 0)
                {
                    continue;
                }

                source[from..start].CopyTo(output[at..]);
                at += start - from;
                if (timestamp)
                {
                    output[at++] = (byte)'"';
                    time.TryFormat(output[at..], out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
                    at += written;
                    output[at++] = (byte)'"';
                    from = e.TimestampEnd;
                }
                else
                {
                    var id = runIds[e.RunId!];
                    id.CopyTo(output[at..]);
                    at += id.Length;
                    from = e.RunIdEnd;
                }
            }

            source[from..].CopyTo(output[at..]);
            at += source.Length - from;
            output[at] = (byte)'\n';
            return at;
        }

        /// <summary>The bundle header: fresh run id everywhere it appears, generated_at after the last event, jittered timings.</summary>
        private JsonObject Header()
        {
            var header = (JsonObject)run.Header.DeepClone();
            Replace(header);
            header["generated_at"] = Iso(new DateTime(_lastTicks, DateTimeKind.Utc).AddMilliseconds(500));
            if (header["report"] is JsonObject report && report["timings"] is JsonObject timings)
            {
                foreach (var (function, node) in timings)
                {
                    if (node is not JsonObject timing)
                    {
                        continue;
                    }

                    // One factor in [0.8, 1.25] per run and function keeps p50 <= p95 <= max.
                    var factor = 0.8 + (0.45 * (Mix(options.Seed, bundle, "timing|" + function) % 1_000_000 / 1_000_000.0));
                    foreach (var key in new[] { "p50_ms", "p95_ms", "max_ms" })
                    {
                        if (timing[key] is JsonValue value && value.TryGetValue<double>(out var ms))
                        {
                            timing[key] = ms * factor;
                        }
                    }
                }
            }

            return header;
        }

        private void WriteHeader(Stream target)
        {
            using var writer = new Utf8JsonWriter(target, new JsonWriterOptions { Indented = true, Encoder = HeaderJson.Encoder });
            Header().WriteTo(writer);
        }

        /// <summary>Every string equal to a source run id becomes the bundle's new one (runtime, report, incidents).</summary>
        private void Replace(JsonNode node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var key in obj.Select(p => p.Key).ToList())
                    {
                        if (obj[key] is JsonValue v && v.TryGetValue<string>(out var s) && _runIds.TryGetValue(s, out var id))
                        {
                            obj[key] = id;
                        }
                        else if (obj[key] is { } child)
                        {
                            Replace(child);
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && _runIds.TryGetValue(s, out var id))
                        {
                            array[i] = id;
                        }
                        else if (array[i] is { } child)
                        {
                            Replace(child);
                        }
                    }

                    break;
            }
        }
    }
}
