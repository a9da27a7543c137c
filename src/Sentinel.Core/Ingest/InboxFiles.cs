namespace Sentinel.Ingest;

/// <summary>
/// The inbox that <c>sentinel serve</c> writes: uploads named <c>&lt;receipt&gt;.&lt;ext&gt;</c> at its top
/// level, and dot-folders the ingest walk skips. <c>sentinel ingest --inbox</c> moves what it processed
/// into <c>.done/</c>, where a later <c>DELETE /v1/bundles/{receipt}</c> can still find it and ask for a
/// <c>sentinel forget</c> (a marker in <c>.forget/</c>).
/// </summary>
public static class InboxFiles
{
    public const string DoneFolder = ".done";
    public const string ForgetFolder = ".forget";
    public const int ReceiptLength = 24;

    /// <summary>The upload receipt a file name carries (<c>0123…abcd.json</c> → <c>0123…abcd</c>), or null.</summary>
    public static string? UploadReceipt(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var stem = dot < 0 ? name : name[..dot];
        return IsReceipt(stem) ? stem : null;
    }

    public static bool IsReceipt(string? s) =>
        s is { Length: ReceiptLength } && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>
    /// Moves the processed top-level inbox entries into <c>.done/</c> (an entry already there is replaced:
    /// same name, same receipt, same bytes). Returns how many moved.
    /// </summary>
    public static int MoveToDone(string inbox, IEnumerable<string> processed)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inbox));
        var done = Path.Combine(root, DoneFolder);
        var moved = 0;
        foreach (var input in processed.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))).Distinct(StringComparer.Ordinal))
        {
            // Only the inbox's own top-level entries: a bundle folder walked inside a sub-folder moves with its top folder.
            var top = TopLevelEntry(root, input);
            if (top is null || !Path.Exists(top))
            {
                continue;
            }

            Directory.CreateDirectory(done);
            var target = Path.Combine(done, Path.GetFileName(top));
            if (Directory.Exists(top))
            {
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }

                Directory.Move(top, target);
            }
            else
            {
                File.Move(top, target, overwrite: true);
            }

            moved++;
        }

        return moved;
    }

    /// <summary>Receipts whose upload a client asked to delete after it was ingested.</summary>
    public static IReadOnlyList<string> PendingForgets(string inbox)
    {
        var dir = Path.Combine(inbox, ForgetFolder);
        return Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir).Select(f => Path.GetFileName(f)).Where(IsReceipt).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>Removes a forget marker and the processed copy of that upload in <c>.done/</c>.</summary>
    public static void CompleteForget(string inbox, string receipt)
    {
        var done = Path.Combine(inbox, DoneFolder);
        if (Directory.Exists(done))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(done).Where(e => UploadReceipt(e) == receipt).ToList())
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        UploadManifest.Delete(inbox, receipt);
        var marker = Path.Combine(inbox, ForgetFolder, receipt);
        if (File.Exists(marker))
        {
            File.Delete(marker);
        }
    }

    private static string? TopLevelEntry(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }

        var first = relative.Split(Path.DirectorySeparatorChar)[0];
        return first.StartsWith('.') ? null : Path.Combine(root, first);
    }
}
