using Parquet.Schema;
using Sentinel.Aggregate;
using Sentinel.Storage;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Maintenance;

/// <summary>What a reader sees of a lake, and helpers shared by the maintenance tests.</summary>
internal static class MaintenanceTestSupport
{
    public static readonly string[] TableNames = ["events", "performance", "catalog", "bundles"];

    /// <summary>
    /// Every row a lock-free reader sees (through <see cref="LakeFiles"/>, as query and aggregate do), per
    /// table, as sorted strings of the contract's columns. Duplicates are kept, so a duplicate shows.
    /// </summary>
    public static Dictionary<string, List<string>> VisibleRows(string lake)
    {
        var paths = new LakePaths(Path.GetFullPath(lake));
        using var db = DuckDb.Open();
        DuckDb.Execute(db, "SET TimeZone = 'UTC'");
        var files = LakeFiles.Scan(paths, db);
        var units = files.CommittedIngests.ToList();
        return new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["events"] = Rows(db, files.EventFiles(units).ToList(), LakeSchema.Events, partitioned: true),
            ["performance"] = Rows(db, files.PerformanceFiles(units).ToList(), LakeSchema.Performance, partitioned: true),
            ["catalog"] = Rows(db, files.Catalog, LakeSchema.Catalog, partitioned: false),
            ["bundles"] = Rows(db, files.Bundles, LakeSchema.Bundles, partitioned: false),
        };
    }

    private static List<string> Rows(DuckDB.NET.Data.DuckDBConnection db, IReadOnlyList<string> files, ParquetSchema schema, bool partitioned)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var columns = schema.DataFields.Select(f => $"coalesce(CAST(\"{f.Name}\" AS VARCHAR), '∅')").ToList();
        if (partitioned)
        {
            columns.AddRange(["library", "version"]);
        }

        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT concat_ws('|', {string.Join(", ", columns)}) FROM {DuckDb.ReadParquet(files, partitioned)}";
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public static void AssertSameRows(Dictionary<string, List<string>> expected, Dictionary<string, List<string>> actual, string context)
    {
        foreach (var table in TableNames)
        {
            Assert.True(expected[table].SequenceEqual(actual[table]),
                $"{context}: {table} differs ({expected[table].Count} rows expected, {actual[table].Count} seen)");
        }
    }

    /// <summary>True when the two views are equal in every table.</summary>
    public static bool Same(Dictionary<string, List<string>> a, Dictionary<string, List<string>> b) =>
        TableNames.All(t => a[t].SequenceEqual(b[t]));

    /// <summary>Every Parquet file on disk under the lake's tables (visible or not).</summary>
    public static List<string> ParquetFilesOnDisk(string lake) =>
        [.. new[] { "events", "performance", "catalog", "bundles" }
            .Select(t => Path.Combine(lake, t))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.parquet", SearchOption.AllDirectories))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal)];

    /// <summary>A quiescent lake has no staging, no journal, no replaced file waiting, and no file a reader cannot see.</summary>
    public static void AssertQuiescent(string lake)
    {
        var paths = new LakePaths(Path.GetFullPath(lake));
        Assert.False(Directory.Exists(paths.Staging), "_staging/ left behind");
        Assert.True(!Directory.Exists(paths.Journal) || !Directory.EnumerateFiles(paths.Journal).Any(), "a journal left behind");
        Assert.Empty(RewriteLog.Read(paths).Superseded);
        using var db = DuckDb.Open();
        var files = LakeFiles.Scan(paths, db);
        var visible = files.AllEventFiles.Concat(files.AllPerformanceFiles).Concat(files.Catalog).Concat(files.Bundles)
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ParquetFilesOnDisk(lake), visible);
    }

    /// <summary>The summary tables (not meta.json, which names the generation and the ingest set) by file.</summary>
    public static Dictionary<string, byte[]> SummaryTables(string lake) =>
        Directory.EnumerateFiles(Path.Combine(lake, Aggregator.SummaryFolder))
            .Where(f => Path.GetFileName(f) != "meta.json")
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);

    public static void AssertSameSummaries(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string context)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{context}: summary/{name} differs");
        }
    }

    public static AggregateResult AggregateLake(string lake, bool full = false) =>
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), AggregatedCorpusFixture.Config, full));

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>The good corpus bundles, each ingested on its own (one small file per partition per ingest).</summary>
    public static async Task IngestOneByOneAsync(string lake, IEnumerable<System.Text.Json.JsonElement> bundles, TimeProvider? clock = null)
    {
        foreach (var bundle in bundles)
        {
            await AggregatedCorpusFixture.IngestAsync(lake, [bundle], clock);
        }
    }

    /// <summary>
    /// The commit steps a crash test stops at (each costs a full rebuild on 2 cores): before the journal,
    /// the first and a middle rename, the publishing rename of state/rewrites.json, the first delete
    /// after it, and the last step.
    /// </summary>
    public static IReadOnlyList<int> CrashPoints(IReadOnlyList<string> steps)
    {
        var publish = steps.ToList().IndexOf("state/rewrites.json");
        Assert.True(publish > 0, "the rewrite never published");
        int[] points = [0, 1, publish / 2, publish, publish + 1, steps.Count - 1];
        return [.. points.Where(i => i >= 0 && i < steps.Count).Distinct().Order()];
    }

    /// <summary>Thrown by a test seam to stop a rewrite where a crash would.</summary>
    public sealed class SimulatedCrash(string step) : Exception($"simulated crash before {step}");
}
