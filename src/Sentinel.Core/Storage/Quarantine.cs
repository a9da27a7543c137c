using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Ingest;

namespace Sentinel.Storage;

/// <summary>One quarantined input: its bytes under <c>input/</c> and why, in <c>reason.json</c>.</summary>
public sealed record QuarantineEntry(
    string Id, string Input, string Kind, string Shape, DateTime QuarantinedAt, IReadOnlyList<Problem> Problems)
{
    public const string Rejected = "rejected";
    public const string Partial = "partial";
}

/// <summary>The private quarantine area of the lake (DESIGN §4).</summary>
public static class Quarantine
{
    /// <param name="displayName">The name to record when <paramref name="input"/> is a copy (replay).</param>
    /// <param name="maxCopyBytes">
    /// A file larger than this is not copied: only its name, size and SHA-256 are noted in <c>omitted.txt</c>
    /// (a rejected 100 MiB upload must not fill the quarantine). Partial inputs are kept whole for replay.
    /// </param>
    internal static QuarantineEntry Store(LakePaths paths, string input, string kind, string shape, IReadOnlyList<Problem> problems,
        DateTime now, string? displayName = null, long maxCopyBytes = long.MaxValue)
    {
        var id = ContentId(input);
        var dir = Path.Combine(paths.Quarantine, id);
        var entry = new QuarantineEntry(id, displayName ?? input, kind, shape, now, problems);
        Directory.CreateDirectory(paths.Quarantine);
        if (!Directory.Exists(dir))
        {
            var tmp = Path.Combine(paths.Quarantine, $".tmp-{id}-{Environment.ProcessId}");
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, true);
            }

            var inputDir = Path.Combine(tmp, "input");
            Directory.CreateDirectory(inputDir);
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(input));
            var omitted = new List<string>();
            // Links, devices and FIFOs are never followed or read: a link to /etc/passwd must not land here.
            if (RegularFile.IsLink(Path.TrimEndingDirectorySeparator(input)))
            {
                omitted.Add($"{name}\tsymbolic link, not followed");
            }
            else if (Directory.Exists(input))
            {
                CopyDirectory(input, Path.Combine(inputDir, name), name, maxCopyBytes, omitted);
            }
            else
            {
                CopyFile(input, Path.Combine(inputDir, name), name, maxCopyBytes, omitted);
            }

            if (omitted.Count > 0)
            {
                File.WriteAllLines(Path.Combine(tmp, "omitted.txt"), omitted);
            }

            WriteReason(tmp, entry);
            Directory.Move(tmp, dir);
        }
        else
        {
            WriteReason(dir, entry); // same bytes again: refresh the reason, keep one copy
        }

        return entry;
    }

    /// <summary>The quarantine of <paramref name="lake"/>, oldest first (empty when there is no lake).</summary>
    public static IReadOnlyList<QuarantineEntry> List(Lake lake) => List(lake.Paths);

    internal static IReadOnlyList<QuarantineEntry> List(LakePaths paths)
    {
        if (!Directory.Exists(paths.Quarantine))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(paths.Quarantine)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Select(d => Path.Combine(d, "reason.json"))
            .Where(File.Exists)
            .Select(f => JsonSerializer.Deserialize(File.ReadAllText(f), QuarantineJson.Default.QuarantineEntry)!)
            .OrderBy(e => e.QuarantinedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];
    }

    /// <summary>The stored copy of a quarantined input (a file or a directory bundle).</summary>
    internal static string? StoredInput(LakePaths paths, string id)
    {
        var inputDir = Path.Combine(paths.Quarantine, id, "input");
        return Directory.Exists(inputDir) ? Directory.EnumerateFileSystemEntries(inputDir).FirstOrDefault() : null;
    }

    internal static void Remove(LakePaths paths, string id) =>
        Directory.Delete(Path.Combine(paths.Quarantine, id), recursive: true);

    private static void WriteReason(string dir, QuarantineEntry entry)
    {
        var path = Path.Combine(dir, "reason.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(entry, QuarantineJson.Default.QuarantineEntry));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string ContentId(string input)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (RegularFile.IsLink(Path.TrimEndingDirectorySeparator(input)))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes("link\0" + input));
        }
        else if (Directory.Exists(input))
        {
            foreach (var file in Directory.EnumerateFiles(input, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                         .Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(input, file) + "\0"));
                hash.AppendData(FileDigest(file) ?? []);
            }
        }
        else if (FileDigest(input) is { } digest)
        {
            hash.AppendData(digest);
        }
        else
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(input));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>SHA-256 of a regular file; null for anything else (never opened).</summary>
    private static byte[]? FileDigest(string file)
    {
        if (RegularFile.WhyNot(file) is not null)
        {
            return null;
        }

        try
        {
            using var s = RegularFile.Open(file, file);
            return SHA256.HashData(s);
        }
        catch (BundleRejectedException)
        {
            return null;
        }
    }

    private static void CopyFile(string from, string to, string relative, long maxBytes, List<string> omitted)
    {
        if (RegularFile.WhyNot(from) is { } why)
        {
            omitted.Add($"{relative}\t{why}, not read");
            return;
        }

        var size = new FileInfo(from).Length;
        if (size > maxBytes)
        {
            omitted.Add($"{relative}\t{size} bytes\tsha256 {Convert.ToHexStringLower(FileDigest(from) ?? [])}\tover ingest.limits.max_quarantine_copy_mb, not copied");
            return;
        }

        try
        {
            using var source = RegularFile.Open(from, from);
            using var target = File.Create(to);
            source.CopyTo(target);
        }
        catch (BundleRejectedException)
        {
            omitted.Add($"{relative}\tchanged while read, not copied");
        }
    }

    private static void CopyDirectory(string from, string to, string relative, long maxBytes, List<string> omitted)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in Directory.EnumerateFileSystemEntries(from).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (RegularFile.IsLink(entry))
            {
                omitted.Add($"{relative}/{name}\tsymbolic link, not followed");
            }
            else if (Directory.Exists(entry))
            {
                CopyDirectory(entry, Path.Combine(to, name), $"{relative}/{name}", maxBytes, omitted);
            }
            else
            {
                CopyFile(entry, Path.Combine(to, name), $"{relative}/{name}", maxBytes, omitted);
            }
        }
    }
}

[JsonSerializable(typeof(QuarantineEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
internal sealed partial class QuarantineJson : JsonSerializerContext;
