namespace Sentinel.Storage;

/// <summary>The content of <c>state/rewrites.json</c>.</summary>
/// <param name="Committed">Rewrites whose output files are visible (ids <c>rw-…</c>).</param>
/// <param name="Superseded">Per rewrite, the lake-relative files it replaced and that are not deleted yet.</param>
internal sealed record RewriteLogData(List<string> Committed, Dictionary<string, List<string>> Superseded);

/// <summary>
/// The commit record of lake rewrites (forget, retention, compaction). Writing it is the single atomic
/// step at which readers switch from the old files to the new ones (see <see cref="LakeFiles"/>).
/// Written only under the lake lock.
/// </summary>
internal static class RewriteLog
{
    public const string Prefix = "rw-";

    public static bool IsRewriteId(string id) => id.StartsWith(Prefix, StringComparison.Ordinal);

    public static string FileOf(LakePaths paths) => Path.Combine(paths.State, "rewrites.json");

    public static RewriteLogData Read(LakePaths paths) =>
        StateFile.Read<RewriteLogData>(FileOf(paths)) ?? new RewriteLogData([], []);

    /// <summary>Makes a rewrite's files visible and hides the files it replaces, in one rename.</summary>
    public static void Publish(LakePaths paths, string id, IReadOnlyList<string> superseded)
    {
        var log = Read(paths);
        if (!log.Committed.Contains(id))
        {
            log.Committed.Add(id);
        }

        if (superseded.Count > 0)
        {
            log.Superseded[id] = [.. superseded];
        }

        StateFile.Write(FileOf(paths), log);
    }

    /// <summary>Forgets the replaced-file list of a rewrite once those files are deleted.</summary>
    public static void Trim(LakePaths paths, string id)
    {
        var log = Read(paths);
        if (log.Superseded.Remove(id))
        {
            StateFile.Write(FileOf(paths), log);
        }
    }
}
