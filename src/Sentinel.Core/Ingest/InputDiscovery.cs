using Sentinel.Storage;
namespace Sentinel.Ingest;

/// <summary>Turns the paths given on the command line into uploads, walking folders.</summary>
internal static class InputDiscovery
{
    private static readonly HashSet<string> Debris = new(StringComparer.OrdinalIgnoreCase)
    {
        "Thumbs.db", "desktop.ini", "__MACOSX",
    };

    /// <summary>Safe-schema telemetry records as JSON Lines (what <c>POST /v1/events</c> stores); any other <c>.jsonl</c> is a single-object bundle.</summary>
    public const string TelemetrySuffix = ".telemetry.jsonl";

    // Plainly not uploads when met while walking a folder: documentation and notes beside the bundles.
    private static readonly string[] DocumentExtensions = [".md", ".markdown", ".txt", ".rst", ".adoc", ".html", ".htm", ".pdf"];

    private static readonly HashSet<string> DocumentNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "README", "LICENSE", "LICENCE", "NOTICE", "COPYING", "AUTHORS", "CHANGELOG",
    };

    /// <param name="Ignored">Entries met while walking that are plainly not uploads (dotfiles, debris, documentation): counted, not skipped.</param>
    public sealed record Discovery(List<UploadInput> Uploads, List<Problem> Skipped, int Ignored = 0);

    public static Discovery Discover(IEnumerable<string> paths)
    {
        var uploads = new List<UploadInput>();
        var skipped = new List<Problem>();
        var ignored = 0;
        foreach (var path in paths)
        {
            if (RegularFile.IsLink(Path.TrimEndingDirectorySeparator(path)))
            {
                // Not even a path given by hand: the inbox and upload folders are written by strangers.
                skipped.Add(new Problem(path, null, "symbolic link: not followed"));
            }
            else if (File.Exists(path))
            {
                var shape = ShapeOf(path);
                if (shape is null)
                {
                    skipped.Add(new Problem(path, null, "not a bundle: expected .json, .jsonl, .zip, .tar.gz or .tgz"));
                }
                else
                {
                    uploads.Add(new UploadInput(path, shape.Value));
                }
            }
            else if (Directory.Exists(path))
            {
                Walk(path, uploads, skipped, ref ignored, isRoot: true);
            }
            else
            {
                skipped.Add(new Problem(path, null, "no such file or directory"));
            }
        }

        return new Discovery(uploads, skipped, ignored);
    }

    public static bool IsDirectoryBundle(string dir) => File.Exists(Path.Combine(dir, "bundle.json"));

    private static void Walk(string dir, List<UploadInput> uploads, List<Problem> skipped, ref int ignored, bool isRoot)
    {
        if (IsDirectoryBundle(dir))
        {
            uploads.Add(new UploadInput(dir, UploadShape.Directory));
            return;
        }

        var entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') || Debris.Contains(name))
            {
                ignored++;
                continue;
            }

            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
            {
                skipped.Add(new Problem(entry, null, "symbolic link: not followed"));
                continue;
            }

            if (Directory.Exists(entry))
            {
                Walk(entry, uploads, skipped, ref ignored, isRoot: false);
            }
            else if (ShapeOf(entry) is { } shape)
            {
                uploads.Add(new UploadInput(entry, shape));
            }
            else if (IsDocument(name) || (isRoot && name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)))
            {
                ignored++;
            }
            else
            {
                skipped.Add(new Problem(entry, null, "not a bundle: expected .json, .jsonl, .zip, .tar.gz or .tgz"));
            }
        }
    }

    private static bool IsDocument(string name) =>
        DocumentExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
        || DocumentNames.Contains(Path.GetFileNameWithoutExtension(name));

    private static UploadShape? ShapeOf(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name.EndsWith(TelemetrySuffix, StringComparison.Ordinal) ? UploadShape.Telemetry
            : name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".jsonl", StringComparison.Ordinal) ? UploadShape.SingleJson
            : name.EndsWith(".zip", StringComparison.Ordinal) ? UploadShape.Zip
            : name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal) ? UploadShape.TarGz
            : null;
    }
}
