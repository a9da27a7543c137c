namespace Sentinel.Storage;

/// <summary>
/// A counter in <c>state/generation</c> that every operation rewriting or deleting committed rows
/// (compaction, retention, forget) increments. Appending ingests never touch it. Readers that keep
/// incremental state (the aggregate partials) rebuild when it changes.
/// </summary>
internal static class LakeGeneration
{
    public static string Read(LakePaths paths)
    {
        var file = Path.Combine(paths.State, "generation");
        return File.Exists(file) ? File.ReadAllText(file).Trim() : "0";
    }

    /// <summary>Marks the lake as rewritten. Call under the lake lock, before the rewrite becomes visible.</summary>
    public static void Bump(LakePaths paths)
    {
        Directory.CreateDirectory(paths.State);
        var next = long.TryParse(Read(paths), out var n) ? n + 1 : 1;
        var file = Path.Combine(paths.State, "generation");
        var tmp = file + ".tmp";
        File.WriteAllText(tmp, next.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        File.Move(tmp, file, overwrite: true);
    }
}
