using DuckDB.NET.Data;
using Sentinel.Lake;

namespace Sentinel.Aggregate;

/// <summary>
/// The committed Parquet files of a lake, grouped by the ingest that wrote them. A data file belongs
/// to ingest <c>X</c> when it is named <c>part-X-NNNNN.parquet</c>; it is visible only once the bundles
/// ledger holds a row with <c>ingest_id = X</c> (the ledger is written last in a commit).
/// </summary>
internal sealed record LakeFiles(
    IReadOnlySet<string> CommittedIngests,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Events,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Performance,
    IReadOnlyList<string> Catalog)
{
    public static LakeFiles Scan(LakePaths paths, DuckDBConnection connection)
    {
        var committed = LedgerIngestIds(paths, connection);
        return new LakeFiles(
            committed,
            ByIngest(paths.Events, committed),
            ByIngest(paths.Performance, committed),
            ByIngest(paths.Catalog, committed).Values.SelectMany(f => f).Order(StringComparer.Ordinal).ToList());
    }

    public IEnumerable<string> EventFiles(IEnumerable<string> ingests) => Select(Events, ingests);

    public IEnumerable<string> PerformanceFiles(IEnumerable<string> ingests) => Select(Performance, ingests);

    private static IEnumerable<string> Select(IReadOnlyDictionary<string, IReadOnlyList<string>> files, IEnumerable<string> ingests) =>
        ingests.Where(files.ContainsKey).SelectMany(i => files[i]);

    private static HashSet<string> LedgerIngestIds(LakePaths paths, DuckDBConnection connection)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!LakePaths.HasFiles(paths.Bundles))
        {
            return ids;
        }

        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT DISTINCT ingest_id FROM read_parquet({DuckDb.Glob(paths.Bundles, partitioned: false)}) WHERE ingest_id IS NOT NULL";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static Dictionary<string, IReadOnlyList<string>> ByIngest(string tableDir, IReadOnlySet<string> committed)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (Directory.Exists(tableDir))
        {
            foreach (var file in Directory.EnumerateFiles(tableDir, "*.parquet", SearchOption.AllDirectories))
            {
                if (IngestIdOf(Path.GetFileName(file)) is { } id && committed.Contains(id))
                {
                    if (!result.TryGetValue(id, out var list))
                    {
                        result[id] = list = [];
                    }

                    list.Add(Path.GetFullPath(file));
                }
            }
        }

        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    /// <summary><c>part-&lt;ingest_id&gt;-&lt;seq&gt;.parquet</c> → ingest_id (which may itself contain dashes).</summary>
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
