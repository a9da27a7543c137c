using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Aggregate;

public sealed record AggregateOptions(Lake Lake, SentinelConfig Config, bool Full, IProgress<string>? Progress = null);

/// <summary>What an aggregate run did (docs/cli.md, <c>sentinel aggregate --format json</c>).</summary>
public sealed record AggregateResult(
    string Mode, string? RebuildReason, int IngestsFolded, int IngestsTotal, long EventsFolded, long PerformanceRowsFolded,
    int Libraries, int Versions, int Problems, int Regressions, int ConfirmedRegressions, string SummaryDir, double Seconds);

/// <summary>
/// The aggregate stage (DESIGN §5). Two layers:
/// <list type="number">
/// <item>partials (<c>state/aggregate.duckdb</c>): the lake reduced to additive grains; only ingests not
/// yet folded in are read, so a daily run reads the day's files, not the lake;</item>
/// <item>summaries (<c>summary/*.parquet</c> + <c>*.json</c>): recomputed from the partials every run
/// (they are small), with PEP 440 ordering, regression tests and statuses done here in C#.</item>
/// </list>
/// A full rebuild happens on <c>--full</c>, on a new partials format, when the lake generation changed
/// (compaction, retention, forget) or when a folded ingest left the ledger.
/// </summary>
public static class Aggregator
{
    /// <summary>Bump when the partial tables change shape or meaning: the next run rebuilds.</summary>
    internal const string PartialsVersion = "3";

    public const string SummaryFolder = "summary";

    internal static readonly string[] Tables = ["libraries", "versions", "problems", "performance", "trends", "environments", "regressions", "activity"];

    public static AggregateResult Run(AggregateOptions options)
    {
        var clock = Stopwatch.StartNew();
        var lake = options.Lake.Require();
        var paths = lake.Paths;
        using var lakeLock = lake.Lock();
        LakeWriter.Recover(paths);
        Directory.CreateDirectory(paths.State);
        var dbPath = Path.Combine(paths.State, "aggregate.duckdb");
        string? rebuildReason = options.Full ? "--full" : null;
        if (options.Full)
        {
            DeleteDatabase(dbPath);
        }

        var generation = LakeGeneration.Read(paths);
        var created = !File.Exists(dbPath);
        var db = OpenPartials(dbPath);
        try
        {
            // Inside the try: a failure seeding the retired partials must still close the connection.
            if (created)
            {
                SeedRetired(db, paths);
            }

            var files = LakeFiles.Scan(paths, db);
            options.Progress?.Report($"{files.CommittedIngests.Count} committed ingest(s) found ({clock.Elapsed.TotalSeconds:0.00} s)");
            var processed = ProcessedIngests(db);
            var stale = StaleReason(db, processed, files, generation);
            if (stale is not null && processed.Count > 0)
            {
                rebuildReason ??= stale;
                db.Dispose();
                DeleteDatabase(dbPath);
                db = OpenPartials(dbPath);
                SeedRetired(db, paths);
                processed.Clear();
            }

            var fresh = files.CommittedIngests.Where(i => !processed.Contains(i)).Order(StringComparer.Ordinal).ToList();
            var mode = processed.Count == 0 ? "full" : "incremental";
            long eventsFolded = 0, perfFolded = 0;
            if (fresh.Count > 0)
            {
                options.Progress?.Report($"folding {fresh.Count} new ingest(s) into the partials ({mode})");
                (eventsFolded, perfFolded) = Fold(db, files, fresh, generation);
            }
            var inputs = SummaryInputs.Of(options.Config, generation, files.CommittedIngests);
            SummaryCounts summary;
            if (fresh.Count == 0 && rebuildReason is null && SummaryInputs.Unchanged(paths, inputs, out var kept))
            {
                options.Progress?.Report("no new ingests, same settings and code as the last aggregate; the summaries are current (nothing rewritten)");
                summary = kept;
            }
            else
            {
                if (fresh.Count == 0)
                {
                    options.Progress?.Report("no new ingests since the last aggregate; recomputing the summaries (settings, code or lake changed)");
                }

                options.Progress?.Report($"computing summaries and regression tests ({clock.Elapsed.TotalSeconds:0.00} s)");
                SummaryInputs.Forget(paths); // a crash while the summaries are rewritten must not leave them marked current
                summary = Summarise(db, paths, files, options.Config, generation);
                SummaryInputs.Record(paths, inputs, summary);
                options.Progress?.Report($"summaries written ({clock.Elapsed.TotalSeconds:0.00} s)");
            }

            return new AggregateResult(mode, rebuildReason, fresh.Count, files.CommittedIngests.Count, eventsFolded, perfFolded,
                summary.Libraries, summary.Versions, summary.Problems, summary.Regressions, summary.Confirmed,
                Path.Combine(paths.Root, SummaryFolder), Math.Round(clock.Elapsed.TotalSeconds, 3));
        }
        finally
        {
            db.Dispose();
        }
    }

    private static DuckDBConnection OpenPartials(string dbPath)
    {
        var db = DuckDb.Open(dbPath);
        try
        {
            var tmp = Path.Combine(Path.GetDirectoryName(dbPath)!, "aggregate.tmp");
            Execute(db, $"""
                SET TimeZone = 'UTC';
                SET memory_limit = '640MB';
                SET temp_directory = '{tmp.Replace("'", "''", StringComparison.Ordinal)}';
                SET preserve_insertion_order = true;
                """);
            Execute(db, SqlText.Get("partials_schema"));
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The partials of rows that retention removed from the lake: <c>state/retired.duckdb</c>.</summary>
    internal static string RetiredPath(LakePaths paths) => Path.Combine(paths.State, "retired.duckdb");

    // Additive grains (p_ingests and p_meta are bookkeeping, not counts).
    private static readonly string[] PartialTables = ["p_runs", "p_bundles", "p_problem_runs", "p_problem_days", "p_level_days", "p_perf"];

    /// <summary>
    /// A fresh partials database starts from the retired partials, so the summaries keep counting what
    /// retention deleted from the lake (the partials merge additively, in any order).
    /// </summary>
    private static void SeedRetired(DuckDBConnection db, LakePaths paths)
    {
        var retired = RetiredPath(paths);
        if (!File.Exists(retired))
        {
            return;
        }

        Execute(db, $"ATTACH {DuckDb.Literal(retired)} AS retired_seed (READ_ONLY)");
        try
        {
            var version = Rows(db, "SELECT value FROM retired_seed.p_meta WHERE key = 'partials_version'", r => r.GetString(0)).SingleOrDefault();
            if (version != PartialsVersion && version != "2")
            {
                throw new InvalidDataException(
                    $"{retired}: the retired partials have format {version ?? "(none)"}, this sentinel needs {PartialsVersion}; " +
                    "the raw rows they summarise were deleted by retention, so they cannot be rebuilt: run the sentinel version that wrote them, or migrate the file");
            }

            Execute(db, "BEGIN TRANSACTION");
            foreach (var table in PartialTables)
            {
                // Format 2 kept p_bundles without the run: its retired rows get run '' (a run no upload names, so they never move).
                Execute(db, table == "p_bundles" && version == "2"
                    ? "INSERT INTO p_bundles SELECT library, version, bundle_id, '', received_at FROM retired_seed.p_bundles"
                    : $"INSERT INTO {table} SELECT * FROM retired_seed.{table}");
            }

            Execute(db, "COMMIT");
        }
        finally
        {
            Execute(db, "DETACH retired_seed");
        }
    }

    /// <summary>
    /// Writes a new retired-partials database at <paramref name="target"/>: the current one (if any) plus
    /// the partials of the rows of <paramref name="eventFiles"/>/<paramref name="performanceFiles"/> that match
    /// <paramref name="predicate"/> (a SQL condition on their columns). Retention stages it and swaps it in
    /// with the same commit that deletes those rows, so they are never counted twice nor lost.
    /// Returns (events, performance rows) retired.
    /// </summary>
    internal static (long Events, long Performance) Retire(LakePaths paths, string target, IReadOnlyList<string> eventFiles,
        IReadOnlyList<string> performanceFiles, string predicate)
    {
        DeleteDatabase(target);
        using var db = OpenPartials(target);
        SeedRetired(db, paths);
        var counts = MergeRows(db, eventFiles, performanceFiles, predicate, () => { });
        Execute(db, "CHECKPOINT");
        return counts;
    }

    private static void DeleteDatabase(string dbPath)
    {
        foreach (var f in new[] { dbPath, dbPath + ".wal" })
        {
            if (File.Exists(f))
            {
                File.Delete(f);
            }
        }
    }

    private static HashSet<string> ProcessedIngests(DuckDBConnection db)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT ingest_id FROM p_ingests";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }

        return set;
    }

    private static string? StaleReason(DuckDBConnection db, HashSet<string> processed, LakeFiles files, string generation)
    {
        var meta = Meta(db);
        if (meta.GetValueOrDefault("partials_version") != PartialsVersion)
        {
            return "the partials were written by another version of sentinel";
        }

        if (meta.GetValueOrDefault("lake_generation") != generation)
        {
            return "the lake was rewritten (compaction, retention or forget) since the last aggregate";
        }

        var gone = processed.FirstOrDefault(i => !files.CommittedIngests.Contains(i));
        return gone is null ? null : $"ingest {gone} left the ledger since the last aggregate";
    }

    private static Dictionary<string, string> Meta(DuckDBConnection db)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT key, value FROM p_meta";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            meta[reader.GetString(0)] = reader.GetString(1);
        }

        return meta;
    }

    private static (long Events, long Performance) Fold(DuckDBConnection db, LakeFiles files, List<string> ingests, string generation) =>
        MergeRows(db, files.EventFiles(ingests).ToList(), files.PerformanceFiles(ingests).ToList(), where: null, () =>
        {
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO p_ingests VALUES ($id) ON CONFLICT DO NOTHING";
            var id = new DuckDBParameter("id", "");
            insert.Parameters.Add(id);
            foreach (var ingest in ingests)
            {
                id.Value = ingest;
                insert.ExecuteNonQuery();
            }

            SetMeta(db, "lake_generation", generation);
        });

    /// <summary>
    /// Folds the rows of these files (those matching <paramref name="where"/>, when given) into the partials, in one
    /// transaction with <paramref name="alsoInTransaction"/>'s bookkeeping. Returns the rows read.
    /// </summary>
    private static (long Events, long Performance) MergeRows(DuckDBConnection db, IReadOnlyList<string> eventFiles,
        IReadOnlyList<string> performanceFiles, string? where, Action alsoInTransaction)
    {
        CreateSourceView(db, "d_events", eventFiles, EventColumns, where: where);
        CreateSourceView(db, "d_performance", performanceFiles, PerformanceColumns, where: where);
        var events = Scalar(db, "SELECT count(*) FROM d_events");
        var performance = Scalar(db, "SELECT count(*) FROM d_performance");

        Execute(db, "BEGIN TRANSACTION");
        try
        {
            foreach (var statement in Statements(SqlText.Get("partials_merge")).Concat(Statements(SqlText.Get("partials_resolve"))))
            {
                Execute(db, statement);
            }

            alsoInTransaction();
            SetMeta(db, "partials_version", PartialsVersion);
            Execute(db, "COMMIT");
        }
        catch
        {
            Execute(db, "ROLLBACK");
            throw;
        }

        Execute(db, "DROP VIEW d_events; DROP VIEW d_performance;");
        return (events, performance);
    }

    private static void SetMeta(DuckDBConnection db, string key, string value)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "INSERT INTO p_meta VALUES ($k, $v) ON CONFLICT DO UPDATE SET value = EXCLUDED.value";
        cmd.Parameters.Add(new DuckDBParameter("k", key));
        cmd.Parameters.Add(new DuckDBParameter("v", value));
        cmd.ExecuteNonQuery();
    }

    // The columns the partials read, with their types for an empty source (a lake without that table yet).
    private static readonly (string Name, string Type)[] EventColumns =
    [
        ("library", "VARCHAR"), ("version", "VARCHAR"), ("run_key", "VARCHAR"), ("bundle_id", "VARCHAR"), ("level", "VARCHAR"),
        ("code", "VARCHAR"), ("trace_hash", "VARCHAR"), ("exception_type", "VARCHAR"), ("category", "VARCHAR"), ("source", "VARCHAR"),
        ("python_version", "VARCHAR"), ("platform", "VARCHAR"), ("timestamp", "TIMESTAMPTZ"), ("received_at", "TIMESTAMPTZ"),
    ];

    private static readonly (string Name, string Type)[] PerformanceColumns =
    [
        ("library", "VARCHAR"), ("version", "VARCHAR"), ("run_key", "VARCHAR"), ("bundle_id", "VARCHAR"), ("function", "VARCHAR"),
        ("count", "BIGINT"), ("p50_ms", "DOUBLE"), ("p95_ms", "DOUBLE"), ("max_ms", "DOUBLE"),
        ("python_version", "VARCHAR"), ("platform", "VARCHAR"), ("received_at", "TIMESTAMPTZ"),
    ];

    private static readonly (string Name, string Type)[] CatalogColumns =
    [
        ("library", "VARCHAR"), ("version", "VARCHAR"), ("code", "VARCHAR"), ("title", "VARCHAR"), ("bundle_id", "VARCHAR"),
    ];

    private static readonly (string Name, string Type)[] BundleColumns = [("bundle_id", "VARCHAR"), ("run_key", "VARCHAR")];

    private static void CreateSourceView(DuckDBConnection db, string name, IReadOnlyList<string> parquetFiles, (string Name, string Type)[] columns,
        bool partitioned = true, string? where = null)
    {
        string body;
        if (parquetFiles.Count == 0)
        {
            body = $"SELECT {string.Join(", ", columns.Select(c => $"NULL::{c.Type} AS \"{c.Name}\""))} WHERE false";
        }
        else
        {
            body = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))} FROM {DuckDb.ReadParquet(parquetFiles, partitioned)}"
                   + (where is null ? "" : $" WHERE {where}");
        }

        Execute(db, $"CREATE OR REPLACE TEMP VIEW {name} AS {body}");
    }

    internal sealed record SummaryCounts(int Libraries, int Versions, int Problems, int Regressions, int Confirmed);

    private static SummaryCounts Summarise(DuckDBConnection db, LakePaths paths, LakeFiles files, SentinelConfig config, string generation)
    {
        Execute(db, string.Create(CultureInfo.InvariantCulture, $"SET VARIABLE min_calls = {config.Regressions.MinCallsPerRun}::BIGINT"));
        Execute(db, string.Create(CultureInfo.InvariantCulture, $"SET VARIABLE min_runs_public = {config.Privacy.MinRunsPublic}::BIGINT"));
        Execute(db, SqlText.Get("summaries"));
        CreateSourceView(db, "catalog_rows", files.Catalog, CatalogColumns, partitioned: false);
        CreateSourceView(db, "bundle_rows", files.Bundles, BundleColumns, partitioned: false);

        var versions = Rows(db, "SELECT library, version, runs, error_free_runs FROM s_versions",
            r => (Runs: new VersionRuns(r.GetString(0), r.GetString(1), r.GetInt64(2)),
                  Health: new VersionHealth(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3))));
        var problems = Rows(db, "SELECT library, code, trace_hash, version, runs, level_rank FROM s_problem_versions",
            r => new ProblemVersionRuns(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt32(5)));
        var performance = Rows(db, "SELECT library, function, version, p95_values_ms, p95_median_ms FROM s_performance",
            r => new PerformanceSample(r.GetString(0), r.GetString(1), r.GetString(2),
                r.GetFieldValue<List<double>>(3), r.IsDBNull(4) ? null : r.GetDouble(4)));

        TraceLine("read statistics inputs");
        var regressions = RegressionDetector.Detect(versions.Select(v => v.Runs).ToList(), problems, performance, config.Regressions);
        var statuses = versions.Select(v => HealthStatus.Evaluate(v.Health, regressions, config.Health)).ToList();
        TraceLine("regression tests and statuses");

        Execute(db, """
            CREATE OR REPLACE TEMP TABLE version_order (library VARCHAR, version VARCHAR, rank INTEGER, pre_release BOOLEAN);
            CREATE OR REPLACE TEMP TABLE version_status (library VARCHAR, version VARCHAR, status VARCHAR, status_reason VARCHAR);
            CREATE OR REPLACE TEMP TABLE registered_titles (library VARCHAR, code VARCHAR, title VARCHAR);
            CREATE OR REPLACE TEMP TABLE catalog_libraries (library VARCHAR);
            CREATE OR REPLACE TEMP TABLE regressions (
                library VARCHAR, kind VARCHAR, status VARCHAR, version VARCHAR, from_version VARCHAR,
                code VARCHAR, trace_hash VARCHAR, function VARCHAR, level VARCHAR,
                ratio DOUBLE, p_value DOUBLE, runs_before BIGINT, runs_after BIGINT,
                before_value DOUBLE, after_value DOUBLE, expected DOUBLE, observed BIGINT, reason VARCHAR);
            """);
        var allVersions = versions.Select(v => (v.Runs.Library, v.Runs.Version))
            .Concat(performance.Select(p => (p.Library, p.Version)))
            .Distinct()
            .GroupBy(v => v.Library, StringComparer.Ordinal);
        Insert(db, "version_order", 4, allVersions.SelectMany(g =>
            Pep440Comparer.Sort(g.Select(v => v.Version)).Select((v, i) => new object?[]
            {
                g.Key, v, i, Pep440Version.TryParse(v, out var parsed) && parsed.IsPreRelease,
            })));
        Insert(db, "version_status", 4, statuses.Select(s => new object?[] { s.Library, s.Version, s.Status.Name(), s.Reason }));
        var (registeredTitles, catalogLibraries) = RegisteredCatalog.Load(config);
        Insert(db, "registered_titles", 3, registeredTitles.Select(t => new object?[] { t.Library, t.Code, t.Title }));
        Insert(db, "catalog_libraries", 1, catalogLibraries.Select(l => new object?[] { l }));
        Insert(db, "regressions", 18, regressions.Select(r => new object?[]
        {
            r.Library, r.Kind.Name(), r.Status.Name(), r.Version, r.FromVersion, r.Code, r.TraceHash, r.Function, r.Level,
            r.Ratio, r.PValue, r.RunsBefore, r.RunsAfter, r.BeforeValue, r.AfterValue, r.Expected, r.Observed, r.Reason,
        }));

        TraceLine("inserted computed tables");
        WriteSummaries(db, paths, files, generation);
        TraceLine("summaries written");
        return new SummaryCounts(
            versions.Select(v => v.Runs.Library).Distinct().Count(), versions.Count,
            (int)Scalar(db, "SELECT count(*) FROM s_problems"), regressions.Count, regressions.Count(r => r.Status == RegressionStatus.Confirmed && RegressionScope.IsLibraryRegression(r)));
    }

    private static void WriteSummaries(DuckDBConnection db, LakePaths paths, LakeFiles files, string generation)
    {
        var target = Path.Combine(paths.Root, SummaryFolder);
        foreach (var leftover in Directory.EnumerateDirectories(paths.Root, SummaryFolder + ".*"))
        {
            Directory.Delete(leftover, recursive: true);
        }

        var staging = Path.Combine(paths.Root, $"{SummaryFolder}.new-{Environment.ProcessId}");
        Directory.CreateDirectory(staging);
        foreach (var table in Tables)
        {
            // Computed once, written twice; the table keeps the query's ORDER BY (insertion order is preserved).
            Execute(db, $"CREATE OR REPLACE TEMP TABLE final_{table} AS {SqlText.Get("final_" + table)}");
            var parquet = DuckDb.Literal(Path.Combine(staging, table + ".parquet"));
            Execute(db, $"COPY final_{table} TO {parquet} (FORMAT parquet, COMPRESSION snappy)");
            Execute(db, $"COPY (SELECT {JsonProjection(db, $"SELECT * FROM final_{table}")} FROM final_{table}) TO {DuckDb.Literal(Path.Combine(staging, table + ".json"))} (FORMAT json, ARRAY true)");
        }

        File.WriteAllText(Path.Combine(staging, "meta.json"), JsonSerializer.Serialize(
            BuildMeta(db, files, generation), SummaryJson.Options) + "\n");

        // Swap in the whole folder: readers see the old summaries or the new ones, never a mix.
        var old = Path.Combine(paths.Root, $"{SummaryFolder}.old-{Environment.ProcessId}");
        if (Directory.Exists(target))
        {
            Directory.Move(target, old);
        }

        Directory.Move(staging, target);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static SummaryMeta BuildMeta(DuckDBConnection db, LakeFiles files, string generation)
    {
        var newest = Rows(db, "SELECT max(received_at) FROM p_bundles", r => r.IsDBNull(0) ? (DateTime?)null : r.GetDateTime(0)).Single();
        return new SummaryMeta(
            SummaryMeta.CurrentSchemaVersion,
            LakeSchema.Version,
            generation,
            files.CommittedIngests.Count,
            IngestSetHash(files.CommittedIngests),
            Scalar(db, "SELECT count(DISTINCT bundle_id) FROM p_bundles"),
            Scalar(db, "SELECT count(DISTINCT run_key) FROM p_runs"),
            Scalar(db, "SELECT coalesce(sum(events), 0)::BIGINT FROM p_runs"),
            newest is null ? null : new DateTimeOffset(DateTime.SpecifyKind(newest.Value, DateTimeKind.Utc)),
            [.. Tables]);
    }

    /// <summary>A fingerprint of the set of committed ingests, so readers can tell stale summaries.</summary>
    public static string IngestSetHash(IEnumerable<string> ingests) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", ingests.Order(StringComparer.Ordinal)))))[..16];

    // JSON gets ISO-8601 UTC timestamps; Parquet keeps real TIMESTAMPTZ columns. JSON has no NaN or
    // Infinity (DuckDB would write them bare, and every strict reader would refuse the file): a
    // non-finite number becomes null, and is left out of a list of numbers.
    private static string JsonProjection(DuckDBConnection db, string query)
    {
        var columns = Rows(db, $"DESCRIBE ({query})", r => (Name: r.GetString(0), Type: r.GetString(1)));
        return string.Join(", ", columns.Select(c => c.Type switch
        {
            _ when c.Type.StartsWith("TIMESTAMP", StringComparison.Ordinal) => $"strftime(\"{c.Name}\", '%Y-%m-%dT%H:%M:%S.%fZ') AS \"{c.Name}\"",
            "DOUBLE" or "FLOAT" => $"CASE WHEN isfinite(\"{c.Name}\") THEN \"{c.Name}\" END AS \"{c.Name}\"",
            "DOUBLE[]" or "FLOAT[]" => $"list_filter(\"{c.Name}\", v -> isfinite(v)) AS \"{c.Name}\"",
            _ => $"\"{c.Name}\"",
        }));
    }


    // One statement per table (a prepared statement per row costs ~1 ms each).
    private static void Insert(DuckDBConnection db, string table, int width, IEnumerable<object?[]> rows)
    {
        foreach (var chunk in rows.Chunk(500))
        {
            using var cmd = db.CreateCommand();
            var tuples = new List<string>(chunk.Length);
            foreach (var row in chunk)
            {
                var start = cmd.Parameters.Count;
                tuples.Add("(" + string.Join(", ", Enumerable.Range(start + 1, width).Select(i => $"${i}")) + ")");
                foreach (var value in row)
                {
                    cmd.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
                }
            }

            cmd.CommandText = $"INSERT INTO {table} VALUES {string.Join(", ", tuples)}";
            cmd.ExecuteNonQuery();
        }
    }

    internal static void Execute(DuckDBConnection db, string sql)
    {
        var clock = Trace ? Stopwatch.StartNew() : null;
        DuckDb.Execute(db, sql);
        if (clock is not null)
        {
            var first = sql.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)) ?? "";
            Console.Error.WriteLine($"trace: {clock.Elapsed.TotalMilliseconds,8:0.0} ms  {first[..Math.Min(100, first.Length)]}");
        }
    }

    /// <summary>The statements of a .sql file (split after each ';' that ends a line), comments kept with the next one.</summary>
    internal static IEnumerable<string> Statements(string sql) =>
        sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Split('\n').Any(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal)));

    private static readonly Stopwatch TraceClock = Stopwatch.StartNew();

    private static void TraceLine(string what)
    {
        if (Trace)
        {
            Console.Error.WriteLine($"trace: at {TraceClock.Elapsed.TotalMilliseconds,8:0.0} ms  {what}");
        }
    }

    /// <summary>SENTINEL_TRACE=1 prints the time of every aggregate statement on stderr.</summary>
    private static readonly bool Trace = Environment.GetEnvironmentVariable("SENTINEL_TRACE") == "1";

    private static long Scalar(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<T> Rows<T>(DuckDBConnection db, string sql, Func<DuckDBDataReader, T> map)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var reader = (DuckDBDataReader)cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
