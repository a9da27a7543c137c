using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Ingest;

namespace Sentinel.Lake;

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
    public static QuarantineEntry Store(LakePaths paths, string input, string kind, string shape, IReadOnlyList<Problem> problems,
        DateTime now, string? displayName = null)
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
            if (Directory.Exists(input))
            {
                CopyDirectory(input, Path.Combine(inputDir, name));
            }
            else if (File.Exists(input))
            {
                File.Copy(input, Path.Combine(inputDir, name));
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

    public static IReadOnlyList<QuarantineEntry> List(LakePaths paths)
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
    public static string? StoredInput(LakePaths paths, string id)
    {
        var inputDir = Path.Combine(paths.Quarantine, id, "input");
        return Directory.Exists(inputDir) ? Directory.EnumerateFileSystemEntries(inputDir).FirstOrDefault() : null;
    }

    public static void Remove(LakePaths paths, string id) =>
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
        if (Directory.Exists(input))
        {
            foreach (var file in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(input, file) + "\0"));
                using var s = File.OpenRead(file);
                hash.AppendData(SHA256.HashData(s));
            }
        }
        else if (File.Exists(input))
        {
            using var s = File.OpenRead(input);
            hash.AppendData(SHA256.HashData(s));
        }
        else
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(input));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}

[JsonSerializable(typeof(QuarantineEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
internal sealed partial class QuarantineJson : JsonSerializerContext;
