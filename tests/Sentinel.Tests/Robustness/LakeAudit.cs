using System.Globalization;
using System.Text.RegularExpressions;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Robustness;

/// <summary>What a reader sees in a lake's four tables, reduced to sets that do not depend on which run wrote them.</summary>
internal sealed record LakeImage(
    IReadOnlySet<string> Events,
    IReadOnlySet<string> Performance,
    IReadOnlySet<string> Catalog,
    IReadOnlySet<string> BundleIds,
    IReadOnlyList<string> Layout,
    long EventRows,
    long PerformanceRows,
    long BundleRows);

/// <summary>One data file of a table folder, opened and read to the end the way a reader would.</summary>
internal sealed record LakeFile(string Table, string Relative, string IngestId, long Rows);

/// <summary>One row of the bundles ledger.</summary>
internal sealed record LedgerRow(string IngestId, string BundleId, long EventsWritten, long PerformanceRows, long CatalogRows);

/// <summary>
/// Checks on a lake from the outside: every file a reader can see opens, every file is accounted for
/// by a committed ingest (or by a journal that the next run rolls forward), and the ledger adds up.
/// </summary>
internal static partial class LakeAudit
{
    public static readonly string[] Tables = ["events", "performance", "catalog", "bundles"];

    [GeneratedRegex(@"^part-(?<id>[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8})-[0-9]{5}\.parquet$")]
    private static partial Regex PartName();

    [GeneratedRegex(@"part-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}-")]
    private static partial Regex IngestIdInName();

    public static LakeImage Image(string lake)
    {
        using var r = new LakeReader(lake);
        var hasPerf = LakePaths.HasFiles(Path.Combine(lake, "performance"));
        var hasCatalog = LakePaths.HasFiles(Path.Combine(lake, "catalog"));
        return new LakeImage(
            Strings(r, "SELECT library || '|' || version || '|' || event_id FROM events"),
            hasPerf ? Strings(r, "SELECT library || '|' || version || '|' || run_key || '|' || function FROM performance") : new HashSet<string>(),
            hasCatalog ? Strings(r, "SELECT library || '|' || version || '|' || code FROM catalog") : new HashSet<string>(),
            Strings(r, "SELECT bundle_id FROM bundles"),
            Layout(lake),
            r.Scalar<long>("SELECT count(*) FROM events"),
            r.Scalar<long>("SELECT count(*) FROM performance"),
            r.Scalar<long>("SELECT count(*) FROM bundles"));
    }

    /// <summary>Table files relative to the lake, the ingest id in their names replaced by '*'.</summary>
    public static List<string> Layout(string lake) =>
        [.. Tables.Select(t => Path.Combine(lake, t)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => IngestIdInName().Replace(Path.GetRelativePath(lake, f), "part-*-"))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Opens every file under the four table folders on its own and reads every value of every row:
    /// a half-written or foreign file fails here. Names must be part-&lt;ingest_id&gt;-&lt;seq&gt;.parquet.
    /// </summary>
    public static List<LakeFile> ReadEveryFile(string lake)
    {
        var files = new List<LakeFile>();
        using var db = DuckDb.Open();
        foreach (var table in Tables)
        {
            var dir = Path.Combine(lake, table);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(lake, file);
                var m = PartName().Match(Path.GetFileName(file));
                Assert.True(m.Success, $"{relative}: a file a reader can see that is not a committed part file");
                long rows = 0;
                try
                {
                    using var cmd = db.CreateCommand();
                    cmd.CommandText = $"SELECT * FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')";
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                    {
                        for (var i = 0; i < reader.FieldCount; i++)
                        {
                            _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
                        }

                        rows++;
                    }
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"{relative}: a reader cannot read this file ({new FileInfo(file).Length:N0} bytes): {e.Message}");
                }

                files.Add(new LakeFile(table, relative, m.Groups["id"].Value, rows));
            }
        }

        return files;
    }

    public static List<LedgerRow> Ledger(string lake)
    {
        if (!LakePaths.HasFiles(Path.Combine(lake, "bundles")))
        {
            return [];
        }

        using var r = new LakeReader(lake);
        return [.. r.Rows("SELECT ingest_id, bundle_id, events_written, performance_rows, catalog_rows FROM bundles").Select(x => new LedgerRow(
            (string)x[0]!, (string)x[1]!, Convert.ToInt64(x[2], CultureInfo.InvariantCulture),
            Convert.ToInt64(x[3], CultureInfo.InvariantCulture), Convert.ToInt64(x[4], CultureInfo.InvariantCulture)))];
    }

    /// <summary>Ingest ids with a commit journal in state/journal (rolled forward by the next writer).</summary>
    public static HashSet<string> PendingJournals(string lake)
    {
        var dir = Path.Combine(lake, "state", "journal");
        return Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir, "*.json").Select(f => Path.GetFileNameWithoutExtension(f))]
            : [];
    }

    /// <summary>
    /// What any reader may rely on at any moment, also right after a crash or while a writer runs: every
    /// visible file opens; a file whose ingest has no ledger row belongs to a commit in flight (its journal
    /// exists); and for every ingest the ledger shows, all its rows are there (the ledger is written last).
    /// </summary>
    /// <remarks>
    /// The reads are ordered so that a writer committing meanwhile cannot cause a false alarm: the ledger
    /// is read first (for the sums), then the files, then the journals, then the ledger again (for orphans).
    /// </remarks>
    public static void AssertReadersSeeOnlyWholeCommits(string lake)
    {
        var ledgerBefore = Ledger(lake);
        var files = ReadEveryFile(lake);
        var journals = PendingJournals(lake);
        var committed = Ledger(lake).Select(l => l.IngestId).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in files.Where(f => !committed.Contains(f.IngestId)))
        {
            Assert.True(journals.Contains(orphan.IngestId),
                $"{orphan.Relative}: visible, not in the ledger, and no journal will complete it (readers and dedup would see rows nobody committed)");
        }

        AssertLedgerAddsUp(files, ledgerBefore);
    }

    /// <summary>The state after a successful run: nothing in flight, nothing left over, every file accounted for.</summary>
    public static void AssertSettled(string lake)
    {
        Assert.False(Directory.Exists(Path.Combine(lake, "_staging")), "_staging/ left behind after a successful run");
        Assert.Empty(PendingJournals(lake));
        var journalDir = Path.Combine(lake, "state", "journal");
        if (Directory.Exists(journalDir))
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(journalDir));
        }

        var leftovers = Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith(".tmp", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(lake, f)).ToList();
        Assert.True(leftovers.Count == 0, "temporary files left in the lake: " + string.Join(", ", leftovers));

        var files = ReadEveryFile(lake);
        var ledger = Ledger(lake);
        var committed = ledger.Select(l => l.IngestId).ToHashSet(StringComparer.Ordinal);
        var orphans = files.Where(f => !committed.Contains(f.IngestId)).Select(f => f.Relative).ToList();
        Assert.True(orphans.Count == 0, "files no committed ingest accounts for: " + string.Join(", ", orphans));
        AssertLedgerAddsUp(files, ledger);
    }

    /// <summary>Per committed ingest: each bundle once, and its ledger counts equal the rows of its files.</summary>
    private static void AssertLedgerAddsUp(List<LakeFile> files, List<LedgerRow> ledger)
    {
        foreach (var ingest in ledger.GroupBy(l => l.IngestId, StringComparer.Ordinal))
        {
            var twice = ingest.GroupBy(l => l.BundleId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"ingest {ingest.Key}: bundle(s) in the ledger more than once: {string.Join(", ", twice)}");
            long Rows(string table) => files.Where(f => f.Table == table && f.IngestId == ingest.Key).Sum(f => f.Rows);
            Assert.True(ingest.Sum(l => l.EventsWritten) == Rows("events"),
                $"ingest {ingest.Key}: ledger events_written sum {ingest.Sum(l => l.EventsWritten)} != {Rows("events")} rows in its events files");
            Assert.True(ingest.Sum(l => l.PerformanceRows) == Rows("performance"),
                $"ingest {ingest.Key}: ledger performance_rows sum {ingest.Sum(l => l.PerformanceRows)} != {Rows("performance")} rows in its performance files");
            Assert.True(ingest.Sum(l => l.CatalogRows) == Rows("catalog"),
                $"ingest {ingest.Key}: ledger catalog_rows sum {ingest.Sum(l => l.CatalogRows)} != {Rows("catalog")} rows in its catalog files");
            Assert.True(ingest.LongCount() == Rows("bundles"), $"ingest {ingest.Key}: ledger rows and its bundles files disagree");
        }
    }

    /// <summary>Asserts two images are the same lake, naming the first difference.</summary>
    public static void AssertSameLake(LakeImage expected, LakeImage actual, string context)
    {
        static void Same(IReadOnlySet<string> e, IReadOnlySet<string> a, string what, string context)
        {
            var missing = e.Except(a).Take(3).ToList();
            var extra = a.Except(e).Take(3).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{context}: {what} differ from the clean lake ({e.Count} expected, {a.Count} found); missing e.g. [{string.Join(", ", missing)}], extra e.g. [{string.Join(", ", extra)}]");
        }

        Same(expected.Events, actual.Events, "events (library|version|event_id)", context);
        Same(expected.Performance, actual.Performance, "performance (library|version|run_key|function)", context);
        Same(expected.Catalog, actual.Catalog, "catalog keys", context);
        Same(expected.BundleIds, actual.BundleIds, "ledger bundle_ids", context);
        Assert.True(expected.EventRows == actual.EventRows, $"{context}: {actual.EventRows} event rows, clean lake has {expected.EventRows}");
        Assert.True(actual.EventRows == actual.Events.Count, $"{context}: {actual.EventRows} event rows for {actual.Events.Count} distinct events");
        Assert.True(expected.PerformanceRows == actual.PerformanceRows, $"{context}: {actual.PerformanceRows} performance rows, clean lake has {expected.PerformanceRows}");
        Assert.True(expected.BundleRows == actual.BundleRows, $"{context}: {actual.BundleRows} ledger rows, clean lake has {expected.BundleRows}");
        Assert.True(expected.Layout.SequenceEqual(actual.Layout, StringComparer.Ordinal),
            $"{context}: file layout differs from the clean lake:\n  clean: {string.Join(" ", expected.Layout)}\n  here:  {string.Join(" ", actual.Layout)}");
    }

    private static HashSet<string> Strings(LakeReader r, string sql) =>
        r.Rows(sql).Select(x => x[0]?.ToString() ?? "<null>").ToHashSet(StringComparer.Ordinal);
}
