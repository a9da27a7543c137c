using System.Text.Json;

namespace Sentinel.Storage;

/// <summary>
/// Stages rows as Parquet files under <c>_staging/&lt;ingest&gt;/</c> and commits them by renames
/// recorded in a journal, the bundle ledger last. A crash before the journal leaves nothing
/// visible (the staging folder is removed on the next run); a crash after it is rolled
/// forward on the next run. Either way each event is stored exactly once.
/// </summary>
internal sealed class LakeWriter
{
    private readonly LakePaths _paths;
    private readonly string _ingestId;
    private readonly string _stagingRoot;
    private readonly Action<string>? _beforeRename;
    private readonly List<(string Staged, string Final)> _staged = [];
    private int _sequence;
    private bool _journalWritten;

    public LakeWriter(LakePaths paths, string ingestId, Action<string>? beforeRename = null)
    {
        _paths = paths;
        _ingestId = ingestId;
        _stagingRoot = Path.Combine(paths.Staging, ingestId);
        _beforeRename = beforeRename;
    }

    /// <summary>Stages one events file; returns its full path (readable until the commit moves it).</summary>
    public async Task<string> StageEventsAsync(string library, string version, IEnumerable<EventColumns> rows, CancellationToken ct)
    {
        var relative = Path.Combine(LakePaths.Partition("events", library, version), NextFileName());
        var path = Path.Combine(_stagingRoot, relative);
        await ParquetTables.WriteEventsAsync(path, rows, ct);
        _staged.Add((relative, relative));
        return path;
    }

    public async Task StagePerformanceAsync(string library, string version, IReadOnlyList<PerformanceRow> rows, CancellationToken ct)
    {
        var relative = Path.Combine(LakePaths.Partition("performance", library, version), NextFileName());
        await ParquetTables.WritePerformanceAsync(Path.Combine(_stagingRoot, relative), rows, ct);
        _staged.Add((relative, relative));
    }

    public async Task StageCatalogAsync(IReadOnlyList<CatalogRow> rows, CancellationToken ct)
    {
        var relative = Path.Combine("catalog", NextFileName());
        await ParquetTables.WriteCatalogAsync(Path.Combine(_stagingRoot, relative), rows, ct);
        _staged.Add((relative, relative));
    }

    /// <summary>
    /// Stages a state file (<paramref name="relative"/> to the lake, under <c>state/</c>): the commit renames it over the
    /// old one with the batch's files, so it changes exactly when they become visible (rolled forward after a crash).
    /// </summary>
    public void StageState<T>(string relative, T value)
    {
        StateFile.Write(Path.Combine(_stagingRoot, relative), value);
        _staged.Add((relative, relative));
    }

    /// <summary>Stages the ledger and commits everything staged. The ledger becomes visible last.</summary>
    public async Task CommitAsync(IReadOnlyList<BundleRow> bundles, CancellationToken ct)
    {
        if (bundles.Count == 0 && _staged.Count == 0)
        {
            Cleanup();
            return;
        }

        if (bundles.Count > 0)
        {
            var relative = Path.Combine("bundles", NextFileName());
            await ParquetTables.WriteBundlesAsync(Path.Combine(_stagingRoot, relative), bundles, ct);
            _staged.Add((relative, relative));
        }

        var journal = new Journal(_ingestId, [.. _staged.Select(s => new JournalMove(s.Staged, s.Final))]);
        var journalPath = WriteJournal(_paths, journal);
        _journalWritten = true;
        Apply(_paths, journal, _beforeRename);
        File.Delete(journalPath);
        Cleanup();
    }

    /// <summary>Discards what was staged, unless a journal already promised it to the lake.</summary>
    public void Abandon()
    {
        if (!_journalWritten)
        {
            Cleanup();
        }
    }

    private void Cleanup() => RemoveStaging(_paths, _stagingRoot);

    /// <summary>
    /// Writes a commit's journal (temp file, fsync, rename) and returns its path. The rename is the point of no
    /// return: from then on a crash is rolled forward by <see cref="Recover"/>. Shared by ingests and rewrites.
    /// </summary>
    internal static string WriteJournal(LakePaths paths, Journal journal)
    {
        Directory.CreateDirectory(paths.Journal);
        var journalPath = Path.Combine(paths.Journal, journal.IngestId + ".json");
        var tmp = journalPath + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, journal, JournalJson.Default.Journal);
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, journalPath, overwrite: true);
        return journalPath;
    }

    /// <summary>Deletes one commit's staging folder, and <c>_staging/</c> itself once empty.</summary>
    internal static void RemoveStaging(LakePaths paths, string stagingRoot)
    {
        if (Directory.Exists(stagingRoot))
        {
            Directory.Delete(stagingRoot, recursive: true);
        }

        if (Directory.Exists(paths.Staging) && !Directory.EnumerateFileSystemEntries(paths.Staging).Any())
        {
            Directory.Delete(paths.Staging);
        }
    }

    /// <summary>Rolls committed journals forward and discards uncommitted staging. Call under the lock.</summary>
    public static int Recover(LakePaths paths)
    {
        var recovered = 0;
        if (Directory.Exists(paths.Journal))
        {
            foreach (var tmp in Directory.EnumerateFiles(paths.Journal, "*.tmp"))
            {
                File.Delete(tmp);
            }

            foreach (var file in Directory.EnumerateFiles(paths.Journal, "*.json").Order(StringComparer.Ordinal))
            {
                var journal = JsonSerializer.Deserialize(File.ReadAllText(file), JournalJson.Default.Journal)
                              ?? throw new InvalidDataException($"{file}: empty journal");
                Apply(paths, journal, null);
                File.Delete(file);
                recovered++;
            }
        }

        if (Directory.Exists(paths.Staging))
        {
            Directory.Delete(paths.Staging, recursive: true);
        }

        return recovered;
    }

    internal static void Apply(LakePaths paths, Journal journal, Action<string>? beforeRename)
    {
        var staging = Path.Combine(paths.Staging, journal.IngestId);
        foreach (var move in journal.Moves)
        {
            var from = Path.Combine(staging, move.Staged);
            var to = Path.Combine(paths.Root, move.Final);
            if (!File.Exists(from))
            {
                continue; // moved before a crash
            }

            beforeRename?.Invoke(move.Final);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Move(from, to, overwrite: true);
        }

        if (journal.Supersedes is { } superseded)
        {
            // A rewrite: its files are in place but invisible until the log names it; then the files it
            // replaces are hidden in the same rename, and only after that deleted.
            beforeRename?.Invoke("state/rewrites.json");
            RewriteLog.Publish(paths, journal.IngestId, superseded);
            foreach (var relative in superseded)
            {
                beforeRename?.Invoke("delete " + relative);
                var file = Path.Combine(paths.Root, relative);
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
            }

            RewriteLog.Trim(paths, journal.IngestId);
        }
    }

    private string NextFileName() => $"part-{_ingestId}-{_sequence++:D5}.parquet";
}

/// <summary>A commit in progress. <paramref name="Supersedes"/> is set for rewrites: the lake-relative files they replace.</summary>
internal sealed record Journal(string IngestId, List<JournalMove> Moves, List<string>? Supersedes = null);

internal sealed record JournalMove(string Staged, string Final);

[System.Text.Json.Serialization.JsonSerializable(typeof(Journal))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
internal sealed partial class JournalJson : System.Text.Json.Serialization.JsonSerializerContext;
