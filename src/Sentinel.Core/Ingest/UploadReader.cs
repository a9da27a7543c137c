using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>The shape of one upload (DESIGN §2); <see cref="Telemetry"/> is safe-schema records as JSON Lines (<c>*.telemetry.jsonl</c>).</summary>
internal enum UploadShape { SingleJson, Directory, Zip, TarGz, Telemetry }

/// <summary>One upload found on disk.</summary>
internal sealed record UploadInput(string Path, UploadShape Shape);

/// <summary>
/// Opens an upload of any shape and streams its members through the parser. Archive members
/// are read as streams, never extracted by name, with size, count and ratio limits enforced
/// while inflating.
/// </summary>
internal sealed class UploadReader(SentinelConfig config, BundleParser parser)
{
    private const string BundleJson = "bundle.json";
    private const string EventsJsonl = "events.jsonl";

    private LimitsConfig Limits => config.Ingest.Limits;

    public BundleReading Read(UploadInput input)
    {
        var reading = new BundleReading { Input = input.Path, Shape = ShapeName(input.Shape) };
        switch (input.Shape)
        {
            case UploadShape.SingleJson:
                ReadSingle(input.Path, reading);
                break;
            case UploadShape.Directory:
                ReadDirectory(input.Path, reading);
                break;
            case UploadShape.Zip:
                ReadZip(input.Path, reading);
                break;
            case UploadShape.TarGz:
                ReadTarGz(input.Path, reading);
                break;
            case UploadShape.Telemetry:
                ReadTelemetry(input.Path, reading);
                break;
        }

        return reading;
    }

    public static string ShapeName(UploadShape shape) => shape switch
    {
        UploadShape.SingleJson => "json",
        UploadShape.Directory => "directory",
        UploadShape.Zip => "zip",
        UploadShape.Telemetry => "telemetry",
        _ => "tar.gz",
    };

    private void CheckUploadSize(string path)
    {
        if (RegularFile.WhyNot(path) is { } why)
        {
            Reject(path, $"{System.IO.Path.GetFileName(path)} is {why}: only regular files are read");
        }

        var size = new FileInfo(path).Length;
        if (size > (long)Limits.MaxUploadMb << 20)
        {
            throw new BundleRejectedException(new Problem(path, null,
                $"upload is {size / 1048576.0:F1} MiB, over the {Limits.MaxUploadMb} MiB limit (ingest.limits.max_upload_mb)"));
        }
    }

    private long UploadCap => (long)Limits.MaxUploadMb << 20;

    private string UploadCapMessage => $"more than {Limits.MaxUploadMb} MiB read, over the limit (ingest.limits.max_upload_mb)";

    private Stream OpenUpload(string path) => RegularFile.OpenRead(path, path, UploadCap, UploadCapMessage);

    private void ReadSingle(string path, BundleReading reading)
    {
        CheckUploadSize(path);
        using var file = OpenUpload(path);
        using var hashing = new HashingStream(file);
        parser.ReadBundleObject(hashing, path, reading);
        reading.BundleDigest = Combine("single", hashing.Digest(), []);
    }

    private void ReadTelemetry(string path, BundleReading reading)
    {
        CheckUploadSize(path);
        using var raw = OpenUpload(path);
        using var file = new HashingStream(raw);
        TelemetryReading.Read(file, path, Limits.MaxEventsPerBundle, reading);
        reading.BundleDigest = Combine("telemetry", file.Digest(), []);
    }

    private void ReadDirectory(string path, BundleReading reading)
    {
        if (RegularFile.IsLink(System.IO.Path.TrimEndingDirectorySeparator(path)))
        {
            Reject(path, "the bundle folder is a symbolic link (not followed): only regular files are read");
        }

        var bundle = System.IO.Path.Combine(path, BundleJson);
        var events = System.IO.Path.Combine(path, EventsJsonl);
        if (RegularFile.WhyNot(bundle) is { } bundleWhy)
        {
            Reject(path, $"{BundleJson} is {bundleWhy}: only regular files are read");
        }

        var eventsWhy = RegularFile.WhyNot(events);
        if (eventsWhy is not null && eventsWhy != "does not exist")
        {
            Reject(path, $"{EventsJsonl} is {eventsWhy}: only regular files are read");
        }

        CheckUploadSize(bundle);
        if (eventsWhy is null)
        {
            // A directory's events.jsonl is what an archive would inflate to: the uncompressed limit applies.
            var size = new FileInfo(events).Length;
            if (size > (long)Limits.MaxUncompressedMb << 20)
            {
                Reject(path, $"events.jsonl is {size / 1048576.0:F0} MiB, over the {Limits.MaxUncompressedMb} MiB limit (ingest.limits.max_uncompressed_mb)");
            }
        }

        byte[] bundleDigest;
        using (var raw = RegularFile.OpenRead(bundle, bundle, UploadCap, UploadCapMessage))
        using (var s = new HashingStream(raw))
        {
            parser.ReadBundleObject(s, bundle, reading);
            bundleDigest = s.Digest();
        }

        byte[] eventsDigest = [];
        if (eventsWhy is null)
        {
            using var raw = RegularFile.OpenRead(events, events, (long)Limits.MaxUncompressedMb << 20,
                $"more than {Limits.MaxUncompressedMb} MiB read, over the limit (ingest.limits.max_uncompressed_mb)");
            using var s = new HashingStream(raw);
            parser.ReadEventsJsonl(s, events, reading);
            eventsDigest = s.Digest();
        }

        reading.BundleDigest = Combine("directory", bundleDigest, eventsDigest);
    }

    /// <summary>Parses one archive member (bundle.json or events.jsonl) and returns the digest of its bytes.</summary>
    private byte[] ReadMember(HashingStream s, string display, bool isBundle, BundleReading reading)
    {
        if (isBundle)
        {
            parser.ReadBundleObject(s, display, reading);
        }
        else
        {
            parser.ReadEventsJsonl(s, display, reading);
        }

        return s.Digest();
    }

    private void ReadZip(string path, BundleReading reading)
    {
        CheckUploadSize(path);
        using var zip = OpenZip(path);
        var members = CheckZipDirectory(path, zip, Limits);

        var (bundle, events) = Locate(path, members.Select(m => m.Name));
        byte[] bundleDigest = [], eventsDigest = [];
        var budget = new InflateBudget((long)Limits.MaxUncompressedMb << 20);
        foreach (var (name, entry) in members)
        {
            if (name != bundle && name != events)
            {
                reading.Ledger.Add("ignored.archive_member");
                continue;
            }

            // Headers can lie: the declared length and the total budget are enforced while inflating, and
            // the checksum afterwards (a member whose headers under-declare its size reads as a cut prefix).
#pragma warning disable CA2000 // using declarations; CA2000 misreads the loop's `continue` above; each wrapper disposes its inner stream
            using var member = OpenMember(path, name, entry);
            using var checksum = new Crc32Stream(member);
            using var limited = new LimitedStream(checksum, Math.Min(entry.Length, budget.Remaining), $"{path}!{Printable(name)}", budget);
            using var s = new HashingStream(limited);
#pragma warning restore CA2000
            try
            {
                var digest = ReadMember(s, $"{path}!{name}", name == bundle, reading);
                if (name == bundle)
                {
                    bundleDigest = digest;
                }
                else
                {
                    eventsDigest = digest;
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException && e is not BundleRejectedException)
            {
                Reject($"{path}!{Printable(name)}", $"damaged archive: member '{Printable(name)}' cannot be inflated ({e.GetType().Name})");
            }

            if (checksum.BytesRead != entry.Length || checksum.Crc32 != entry.Crc32)
            {
                Reject($"{path}!{Printable(name)}", $"damaged archive: member '{Printable(name)}' is {checksum.BytesRead:N0} bytes with CRC-32 {checksum.Crc32:x8}, its headers say {entry.Length:N0} bytes with {entry.Crc32:x8} (truncated, altered, or sizes that lie)");
            }
        }

        reading.BundleDigest = Combine("directory", bundleDigest, eventsDigest);
    }

    private static Stream OpenMember(string path, string name, ZipArchiveEntry entry)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException e)
        {
            throw new BundleRejectedException(new Problem($"{path}!{Printable(name)}", null, $"damaged archive: member '{Printable(name)}' cannot be opened ({Clean(e.Message)})"));
        }
    }

    private static string Clean(string message) => Printable(message.ReplaceLineEndings(" "));

    /// <summary>
    /// What a zip's central directory alone can tell, read without inflating anything: entry count, unsafe names
    /// (path traversal, absolute paths), links and devices, per-entry compression ratio, declared total size.
    /// Throws <see cref="BundleRejectedException"/>; returns the regular-file members.
    /// </summary>
    private static List<(string Name, ZipArchiveEntry Entry)> CheckZipDirectory(string path, ZipArchive zip, LimitsConfig limits)
    {
        var members = new List<(string Name, ZipArchiveEntry Entry)>();
        long declared = 0;
        IReadOnlyList<ZipArchiveEntry> entries;
        try
        {
            // The central directory is read here, not when the archive opens: damage shows up now.
            entries = zip.Entries;
        }
        catch (InvalidDataException e)
        {
            throw new BundleRejectedException(new Problem(path, null, $"not a readable zip archive: {e.Message}"));
        }

        if (entries.Count > limits.MaxEntries)
        {
            Reject(path, $"{entries.Count} archive entries, over the limit of {limits.MaxEntries} (ingest.limits.max_entries)");
        }

        foreach (var entry in entries)
        {
            var name = CheckMemberName(path, entry.FullName);
            var unixType = (entry.ExternalAttributes >> 16) & 0xF000;
            if (unixType is 0xA000 or 0x2000 or 0x6000 or 0x1000 or 0xC000)
            {
                Reject(path, $"archive entry '{Printable(entry.FullName)}' is a link or device, not a regular file");
            }

            if (name.EndsWith('/'))
            {
                continue;
            }

            declared += entry.Length;
            if (entry.Length > 1 << 20 && entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > limits.MaxCompressionRatio)
            {
                Reject(path, $"archive entry '{Printable(name)}' has a compression ratio of {entry.Length / entry.CompressedLength:N0}:1, over {limits.MaxCompressionRatio}:1 (ingest.limits.max_compression_ratio): refused before inflating");
            }

            members.Add((name, entry));
        }

        if (declared > (long)limits.MaxUncompressedMb << 20)
        {
            Reject(path, $"archive declares {declared / 1048576.0:F0} MiB uncompressed, over the {limits.MaxUncompressedMb} MiB limit (ingest.limits.max_uncompressed_mb): refused before inflating");
        }

        return members;
    }

    /// <summary>
    /// The central-directory checks ingest runs on a zip (<see cref="CheckZipDirectory"/>), for <c>sentinel serve</c> to
    /// refuse a zip bomb or a path-traversal zip at upload with ingest's own rules. Null when they pass; the rest
    /// (inflating, the bundle's content) stays ingest's job.
    /// </summary>
    public static Problem? PreflightZip(string path, LimitsConfig limits)
    {
        try
        {
            using var zip = OpenZip(path);
            CheckZipDirectory(path, zip, limits);
            return null;
        }
        catch (BundleRejectedException e)
        {
            return e.Problem;
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return new ZipArchive(RegularFile.Open(path, path), ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            throw new BundleRejectedException(new Problem(path, null, $"not a readable zip archive: {e.Message}"));
        }
    }

    private void ReadTarGz(string path, BundleReading reading)
    {
        CheckUploadSize(path);
        var compressed = new FileInfo(path).Length;
        var budget = new InflateBudget(Math.Min((long)Limits.MaxUncompressedMb << 20, (compressed * Limits.MaxCompressionRatio) + (1 << 20)));
        using var file = OpenUpload(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var limited = new LimitedStream(gzip, budget.Remaining, path, budget);
        using var tar = new TarReader(limited);
        byte[] bundleDigest = [], eventsDigest = [];
        var seen = new List<string>();
        var count = 0;
        try
        {
            while (tar.GetNextEntry(copyData: false) is { } entry)
            {
                if (++count > Limits.MaxEntries)
                {
                    Reject(path, $"more than {Limits.MaxEntries} archive entries (ingest.limits.max_entries)");
                }

                var name = CheckMemberName(path, entry.Name);
                if (entry.EntryType is TarEntryType.Directory)
                {
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    Reject(path, $"archive entry '{Printable(entry.Name)}' is a {entry.EntryType}, not a regular file");
                }

                seen.Add(name);
                var (bundle, events) = Locate(path, seen, partial: true);
                if (entry.DataStream is null || (name != bundle && name != events))
                {
                    reading.Ledger.Add("ignored.archive_member");
                    continue;
                }

                // The uploader's user and group names in the tar header are never read.
#pragma warning disable CA2000 // a using declaration: CA2000 misreads the loop's `continue` above; the tar reader owns DataStream (leaveOpen)
                using var s = new HashingStream(entry.DataStream, leaveOpen: true);
#pragma warning restore CA2000
                var digest = ReadMember(s, $"{path}!{name}", name == bundle, reading);
                if (name == bundle)
                {
                    bundleDigest = digest;
                }
                else
                {
                    eventsDigest = digest;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BundleRejectedException(new Problem(path, null, $"not a readable tar.gz archive: {e.Message}"));
        }

        Locate(path, seen);
        reading.BundleDigest = Combine("directory", bundleDigest, eventsDigest);
    }

    /// <summary>Finds bundle.json / events.jsonl, flat or inside one folder.</summary>
    private static (string? Bundle, string? Events) Locate(string path, IEnumerable<string> names, bool partial = false)
    {
        var files = names.Where(n => !IsDebris(n)).ToList();
        var bundles = files.Where(n => LeafIs(n, BundleJson)).ToList();
        var events = files.Where(n => LeafIs(n, EventsJsonl)).ToList();
        if (bundles.Count > 1 || events.Count > 1)
        {
            Reject(path, "archive holds more than one bundle.json or events.jsonl");
        }

        if (!partial && bundles.Count == 0)
        {
            Reject(path, "archive holds no bundle.json (expected a directory bundle, flat or inside one folder)");
        }

        return (bundles.FirstOrDefault(), events.FirstOrDefault());
    }

    private static bool LeafIs(string name, string leaf)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length is 1 or 2 && parts[^1] == leaf;
    }

    private static bool IsDebris(string name) =>
        name.StartsWith("__MACOSX/", StringComparison.Ordinal) || name.Split('/').Any(p => p.StartsWith('.') && p.Length > 1);

    /// <summary>Rejects '..', absolute paths, drive letters and backslashes; returns the normalised name.</summary>
    private static string CheckMemberName(string path, string name)
    {
        var n = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        if (n.Length == 0 || n.StartsWith('/') || n.Contains('\\', StringComparison.Ordinal) || n.Contains('\0', StringComparison.Ordinal)
            || (n.Length >= 2 && n[1] == ':') || n.Split('/').Any(p => p == ".."))
        {
            Reject(path, $"unsafe archive entry name '{Printable(name)}' (path traversal, absolute path or drive letter)");
        }

        return n;
    }

    private static string Printable(string s) =>
        new(s.Take(120).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static void Reject(string path, string message) =>
        throw new BundleRejectedException(new Problem(path, null, message));

    private static byte[] Combine(string shape, byte[] first, byte[] second)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(System.Text.Encoding.ASCII.GetBytes(shape switch
        {
            "single" => "smonitor-upload/single\n",
            "telemetry" => "smonitor-upload/telemetry\n",
            _ => "smonitor-upload/directory\n",
        }));
        h.AppendData(first);
        h.AppendData(second);
        return h.GetHashAndReset();
    }
}

/// <summary>Total bytes an archive may inflate to, shared by its members.</summary>
internal sealed class InflateBudget(long total)
{
    public long Remaining { get; private set; } = total;
    public long Total { get; } = total;

    public void Spend(long n) => Remaining -= n;
}

/// <summary>Fails the read as soon as more bytes come out than allowed (zip bombs, lying headers).</summary>
internal sealed class LimitedStream(Stream inner, long limit, string what, InflateBudget budget, string? message = null) : ReadOnlyStream
{
    private long _read;

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _read += n;
        budget.Spend(n);
        if (_read > limit || budget.Remaining < 0)
        {
            throw new BundleRejectedException(new Problem(what, null, message ??
                $"inflates past {Math.Min(limit, budget.Total) / 1048576.0:F0} MiB (declared size, ingest.limits.max_uncompressed_mb or max_compression_ratio): refused while inflating"));
        }

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
}

/// <summary>SHA-256 of everything read through it.</summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen = false) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Drains what the parser did not read (trailing whitespace), then returns the digest.</summary>
    public byte[] Digest()
    {
        var rest = new byte[81920];
        while (Read(rest, 0, rest.Length) > 0)
        {
        }

        return _hash.GetHashAndReset();
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
