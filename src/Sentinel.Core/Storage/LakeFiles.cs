using DuckDB.NET.Data;

namespace Sentinel.Storage;

/// <summary>
/// The committed Parquet files of a lake, grouped by the unit that wrote them: an ingest, or a rewrite
/// (forget, retention, compaction). Every reader that does not hold the lake lock goes through here, so
/// the visibility rules live in one place:
/// <list type="bullet">
/// <item>a data file <c>part-X-NNNNN.parquet</c> of ingest <c>X</c> is visible once the bundles ledger
/// holds a row with <c>ingest_id = X</c> (the ledger is written last in an ingest commit);</item>
/// <item>a file of rewrite <c>rw-…</c> is visible once <c>state/rewrites.json</c> lists the rewrite as
/// committed, and at that same moment the files it replaces (listed there too) are hidden, so a reader
/// sees the lake before the rewrite or after it, never a gap or a duplicate;</item>
/// <item>a ledger file is visible unless it is a rewrite's not yet committed output or replaced.</item>
/// </list>
/// </summary>
internal sealed record LakeFiles(
    IReadOnlySet<string> CommittedIngests,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Events,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Performance,
    IReadOnlyList<string> Catalog,
    IReadOnlyList<string> Bundles)
{
    public static LakeFiles Scan(LakePaths paths, DuckDBConnection connection)
    {
        var log = RewriteLog.Read(paths);
        var hidden = log.Superseded.Values.SelectMany(v => v)
            .Select(r => Path.GetFullPath(Path.Combine(paths.Root, r))).ToHashSet(StringComparer.Ordinal);
        var ledgerFiles = Visible(paths.Bundles, log, hidden).Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
        var units = LedgerIngestIds(ledgerFiles, connection);
        units.UnionWith(log.Committed);
        return new LakeFiles(
            units,
            ByUnit(paths.Events, units, log, hidden),
            ByUnit(paths.Performance, units, log, hidden),
            ByUnit(paths.Catalog, units, log, hidden).Values.SelectMany(f => f).Order(StringComparer.Ordinal).ToList(),
            ledgerFiles);
    }

    public IEnumerable<string> EventFiles(IEnumerable<string> ingests) => Select(Events, ingests);

    public IEnumerable<string> PerformanceFiles(IEnumerable<string> ingests) => Select(Performance, ingests);

    public IReadOnlyList<string> AllEventFiles => [.. Events.Values.SelectMany(f => f).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> AllPerformanceFiles => [.. Performance.Values.SelectMany(f => f).Order(StringComparer.Ordinal)];

    private static IEnumerable<string> Select(IReadOnlyDictionary<string, IReadOnlyList<string>> files, IEnumerable<string> ingests) =>
        ingests.Where(files.ContainsKey).SelectMany(i => files[i]);

    private static HashSet<string> LedgerIngestIds(IReadOnlyList<string> ledgerFiles, DuckDBConnection connection)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (ledgerFiles.Count == 0)
        {
            return ids;
        }

        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT DISTINCT ingest_id FROM {DuckDb.ReadParquet(ledgerFiles, partitioned: false)} WHERE ingest_id IS NOT NULL";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Files a reader may see in a table folder, before the ingest-ledger rule: (path, unit id).</summary>
    private static IEnumerable<(string Path, string Unit)> Visible(string tableDir, RewriteLogData log, HashSet<string> hidden)
    {
        if (!Directory.Exists(tableDir))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(tableDir, "*.parquet", SearchOption.AllDirectories))
        {
            var full = Path.GetFullPath(file);
            if (IngestIdOf(Path.GetFileName(file)) is not { } id || hidden.Contains(full)
                || (RewriteLog.IsRewriteId(id) && !log.Committed.Contains(id)))
            {
                continue;
            }

            yield return (full, id);
        }
    }

    private static Dictionary<string, IReadOnlyList<string>> ByUnit(string tableDir, IReadOnlySet<string> units, RewriteLogData log, HashSet<string> hidden)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (file, id) in Visible(tableDir, log, hidden))
        {
            if (units.Contains(id))
            {
                if (!result.TryGetValue(id, out var list))
                {
                    result[id] = list = [];
                }

                list.Add(file);
            }
        }

        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    /// <summary><c>part-&lt;unit_id&gt;-&lt;seq&gt;.parquet</c> → unit_id (which may itself contain dashes).</summary>
    internal static string? IngestIdOf(string fileName)
    {
        const string prefix = "part-", suffix = ".parquet";
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var stem = fileName[prefix.Length..^suffix.Length];
        var dash = stem.LastIndexOf('-');
        return dash > 0 && stem[(dash + 1)..].All(char.IsAsciiDigit) ? stem[..dash] : null;
    }
}
