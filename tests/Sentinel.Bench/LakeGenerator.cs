using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Sentinel.Storage;

namespace Sentinel.Bench;

/// <param name="Events">Events to write (the whole new lake, or the appended ingest).</param>
/// <param name="Bundles">Bundles to spread them over; null in append mode = the lake's events per bundle.</param>
/// <param name="Append">Add one ingest to the existing lake in <paramref name="Out"/> instead of creating it.</param>
internal sealed record GenLakeOptions(string SeedLake, string Out, long Events, long? Bundles, long Seed, bool Append);

internal sealed record GenLakeResult(long Events, long Bundles, int Files, string IngestId, double Seconds);

/// <summary>An expected failure (bad input, unusable lake): reported, not a bug.</summary>
public sealed class GenLakeException : Exception
{
    public GenLakeException() { }
    public GenLakeException(string message) : base(message) { }
    public GenLakeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Resamples a real lake into a large synthetic one, set-based in DuckDB. Generated bundle <c>b</c>
/// replays seed run <c>(b + bundles already in the lake) mod R</c> (runs ordered by run_key) cyclically,
/// with fresh ids and times; the result is written as one committed ingest following docs/lake.md
/// (staged, journal, ledger last). See docs/benchmarks.md.
/// </summary>
internal static class LakeGenerator
{
    // The base lake's events end on 2026-11-24; each appended ingest covers the following day.
    private static readonly DateTime WindowEnd = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
    private const int BaseWindowDays = 60;
    private static readonly TimeSpan IngestDelay = TimeSpan.FromHours(2);
    private const long RunSpanUs = 3_600_000_000; // one bundle's events span one hour
    private const int RowGroupSize = 122_880;

    public static GenLakeResult Run(GenLakeOptions options)
    {
        var clock = Stopwatch.StartNew();
        var seed = new LakePaths(Path.GetFullPath(options.SeedLake));
        var lake = new LakePaths(Path.GetFullPath(options.Out));
        if (!LakePaths.HasFiles(seed.Events) || !LakePaths.HasFiles(seed.Bundles))
        {
            throw new GenLakeException($"{seed.Root}: no committed events/bundles (make it with `sentinel ingest CORPUS --lake DIR`)");
        }

        if (string.Equals(seed.Root.TrimEnd('/'), lake.Root.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new GenLakeException("--out must not be the seed lake");
        }

        if (options.Append && !LakePaths.HasFiles(lake.Bundles))
        {
            throw new GenLakeException($"{lake.Root}: --append-events needs an existing lake (no bundles ledger found)");
        }

        if (options.Bundles > options.Events)
        {
            throw new GenLakeException($"--bundles {options.Bundles} is more than the {options.Events} events to spread over them");
        }

        using var writerLock = LakeLock.Acquire(lake);
        if (Directory.Exists(lake.Staging) || (Directory.Exists(lake.Journal) && Directory.EnumerateFileSystemEntries(lake.Journal).Any()))
        {
            throw new GenLakeException($"{lake.Root}: an unfinished commit is pending (_staging/ or state/journal/); run `sentinel ingest` on it to recover first");
        }

        var hasLake = LakePaths.HasFiles(lake.Bundles) || LakePaths.HasFiles(lake.Events) || LakePaths.HasFiles(lake.Performance) || LakePaths.HasFiles(lake.Catalog);

        if (!options.Append && hasLake)
        {
            throw new GenLakeException($"{lake.Root}: already holds a lake; use an empty folder, or --append-events to add an ingest");
        }

        using var db = DuckDb.Open();
        // One thread per query (files are written in parallel instead, see Write): a parallel COPY does not keep
        // row order through the joins, and the same --seed must give the same files.
        Exec(db, "SET threads = 1");
        Configure(db);

        // Plan: which ingest this is, how many bundles, when.
        var ordinal = options.Append ? Scalar<long>(db, $"SELECT count(DISTINCT ingest_id) FROM {Flat(lake.Bundles)}") : 0;
        // An appended ingest carries on the round-robin over seed runs where the lake left it.
        var firstRun = options.Append ? Scalar<long>(db, $"SELECT count(*) FROM {Flat(lake.Bundles)}") : 0;
        var bundles = options.Bundles ?? (options.Append
            ? Math.Max(1, (long)Math.Round(options.Events / Math.Max(1.0, Scalar<double>(db, $"SELECT coalesce(avg(events_written), 1)::DOUBLE FROM {Flat(lake.Bundles)}"))))
            : throw new GenLakeException("--bundles is required"));
        bundles = Math.Min(bundles, options.Events);

        var windowEnd = WindowEnd.AddDays(ordinal);
        var windowStart = windowEnd.AddDays(options.Append ? -1 : -BaseWindowDays);
        var receivedAt = windowEnd + IngestDelay;
        var tag = string.Create(CultureInfo.InvariantCulture, $"{options.Seed}|{ordinal}");
        var ingestId = receivedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-"
                       + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("ingest|" + tag)))[..8];
        if (options.Append && Scalar<long>(db, $"SELECT count(*) FROM {Flat(lake.Bundles)} WHERE ingest_id = {Lit(ingestId)}") > 0)
        {
            throw new GenLakeException($"{lake.Root}: ingest {ingestId} is already in the ledger");
        }

        var staging = Path.Combine(lake.Staging, ingestId);
        var generator = new Generation(db, seed, staging, ingestId, tag, Time(receivedAt), Time(windowStart),
            (long)(windowEnd - windowStart).TotalMicroseconds);
        try
        {
            generator.LoadSeed(includeCatalog: !options.Append);
            var moves = generator.Write(options.Events, bundles, firstRun);
            Commit(lake, ingestId, moves);
            return new GenLakeResult(options.Events, bundles, moves.Count, ingestId, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            if (Directory.Exists(staging) && !File.Exists(JournalPath(lake, ingestId)))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (Directory.Exists(lake.Staging) && !Directory.EnumerateFileSystemEntries(lake.Staging).Any())
            {
                Directory.Delete(lake.Staging);
            }
        }
    }

    /// <summary>The lake's commit protocol: journal first (the commit point), then renames, ledger last.</summary>
    private static void Commit(LakePaths lake, string ingestId, IReadOnlyList<string> moves)
    {
        Directory.CreateDirectory(lake.Journal);
        var journal = JournalPath(lake, ingestId);
        using (var stream = new FileStream(journal + ".tmp", FileMode.Create, FileAccess.Write))
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("ingest_id", ingestId);
                json.WriteStartArray("moves");
                foreach (var move in moves)
                {
                    json.WriteStartObject();
                    json.WriteString("staged", move);
                    json.WriteString("final", move);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(journal + ".tmp", journal, overwrite: true);
        var staging = Path.Combine(lake.Staging, ingestId);
        foreach (var move in moves)
        {
            var to = Path.Combine(lake.Root, move);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Move(Path.Combine(staging, move), to, overwrite: false);
        }

        File.Delete(journal);
        Directory.Delete(staging, recursive: true);
    }

    private static string JournalPath(LakePaths lake, string ingestId) => Path.Combine(lake.Journal, ingestId + ".json");

    /// <summary>The SQL of one generation run; every id and time is a hash of (seed, ingest ordinal, position).</summary>
    private sealed class Generation(
        DuckDBConnection db, LakePaths seed, string staging, string ingestId, string tag, string receivedAt, string windowStart, long windowUs)
    {
        private readonly List<string> _moves = [];
        private List<Column> _eventColumns = [];
        private List<Column> _performanceColumns = [];
        private List<Column> _catalogColumns = [];
        private List<Column> _bundleColumns = [];

        public void LoadSeed(bool includeCatalog)
        {
            _eventColumns = Columns(seed.Events);
            _bundleColumns = Columns(seed.Bundles);
            // Strictly committed seed rows only: their upload's ledger row is visible.
            Exec(db, $"""
                CREATE TABLE seed_b AS SELECT * FROM {Flat(seed.Bundles)}
                QUALIFY row_number() OVER (PARTITION BY bundle_id ORDER BY ingest_id) = 1;
                CREATE TABLE seed_ev AS
                SELECT *,
                       (row_number() OVER (PARTITION BY run_key ORDER BY "timestamp", event_id) - 1)::BIGINT AS _j,
                       (dense_rank() OVER (ORDER BY library, version) - 1)::INTEGER AS _part
                FROM {Hive(seed.Events)} WHERE bundle_id IN (SELECT bundle_id FROM seed_b);
                CREATE TABLE seed_runs AS
                SELECT run_key AS seed_run, (row_number() OVER (ORDER BY run_key) - 1)::BIGINT AS r,
                       count(*)::BIGINT AS cnt, min(bundle_id) AS seed_bundle
                FROM seed_ev GROUP BY run_key;
                """);
            if (LakePaths.HasFiles(seed.Performance))
            {
                _performanceColumns = Columns(seed.Performance);
                Exec(db, $"""
                    CREATE TABLE seed_perf AS
                    SELECT *, (dense_rank() OVER (ORDER BY library, version) - 1)::INTEGER AS _part
                    FROM {Hive(seed.Performance)}
                    WHERE run_key IN (SELECT seed_run FROM seed_runs)
                    QUALIFY row_number() OVER (PARTITION BY run_key, function ORDER BY received_at, bundle_id) = 1;
                    """);
            }

            if (includeCatalog && LakePaths.HasFiles(seed.Catalog))
            {
                _catalogColumns = Columns(seed.Catalog);
                Exec(db, $"CREATE TABLE seed_cat AS SELECT * FROM {Flat(seed.Catalog)}");
            }
        }

        public List<string> Write(long events, long bundles, long firstRun)
        {
            var runs = Scalar<long>(db, "SELECT count(*) FROM seed_runs");
            if (runs == 0)
            {
                throw new GenLakeException($"{seed.Root}: no committed events to resample");
            }

            // Bundle b holds events [first, first + n): N/B each, the first N mod B bundles one more.
            long q = events / bundles, rem = events % bundles, boundary = rem * (q + 1);
            var bundleOf = $"(CASE WHEN x.e < {boundary} THEN x.e // {q + 1} ELSE {rem} + (x.e - {boundary}) // {q} END)";
            Exec(db, $"""
                CREATE TABLE plan AS
                SELECT t.b, sr.seed_run, sr.seed_bundle, sr.cnt,
                       ({q} + CASE WHEN t.b < {rem} THEN 1 ELSE 0 END)::BIGINT AS n,
                       (t.b * {q} + least(t.b, {rem}))::BIGINT AS first,
                       md5('run|{tag}|' || t.b) AS run_key,
                       sha256('bundle|{tag}|' || t.b) AS bundle_id,
                       {windowStart} + to_microseconds((md5_number_lower('start|{tag}|' || t.b) % {windowUs - RunSpanUs})::BIGINT) AS start_at
                FROM range({bundles}) t(b) JOIN seed_runs sr ON sr.r = (t.b + {firstRun}) % {runs};
                CREATE TABLE idx AS
                SELECT x.e, s._part AS part
                FROM (SELECT range AS e FROM range({events})) x
                JOIN plan p ON p.b = {bundleOf}
                JOIN seed_ev s ON s.run_key = p.seed_run AND s._j = (x.e - p.first) % p.cnt;
                CREATE TABLE libs AS
                SELECT p.b, array_to_string(list_sort(list_distinct(list(s.library))), ',') AS libraries
                FROM plan p JOIN seed_ev s ON s.run_key = p.seed_run AND s._j < p.n GROUP BY p.b;
                """);

            var eventSelect = SelectList(_eventColumns, "s", new Dictionary<string, string>
            {
                ["event_id"] = $"md5('event|{tag}|' || x.e)",
                ["bundle_id"] = "p.bundle_id",
                ["run_key"] = "p.run_key",
                ["timestamp"] = $"p.start_at + to_microseconds((x.e - p.first) * ({RunSpanUs} // p.n))",
                ["received_at"] = receivedAt,
            });
            // One COPY per file, each single-threaded so that rows leave in event order (same --seed, same bytes),
            // several files at once on duplicated connections to use the cores. DuckDB's PARTITION_BY writer ran on
            // one core here anyway (28 s for 10M rows, vs ~10 s this way) and cannot name files part-<ingest>-<seq>.
            var sequence = 0;
            var rows = Rows(db, "SELECT part, count(*) FROM idx GROUP BY part", r => (Part: r.GetInt32(0), Rows: r.GetInt64(1)))
                .ToDictionary(r => r.Part, r => r.Rows);
            var jobs = Partitions("seed_ev").Where(p => rows.ContainsKey(p.Part)).Select(p => (
                Relative: Stage(LakePaths.Partition("events", p.Library, p.Version), ref sequence),
                Rows: rows.GetValueOrDefault(p.Part),
                Select: $"""
                    SELECT {eventSelect}
                    FROM idx x
                    JOIN plan p ON p.b = {bundleOf}
                    JOIN seed_ev s ON s.run_key = p.seed_run AND s._j = (x.e - p.first) % p.cnt
                    WHERE x.part = {p.Part}
                    """)).ToList();
            try
            {
                Parallel.ForEach(jobs.OrderByDescending(j => j.Rows), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
                {
                    using var connection = db.Duplicate();
                    connection.Open();
                    Configure(connection);
                    Copy(connection, job.Relative, _eventColumns, job.Select);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }

            const string jitter = "(0.9 + 0.2 * (md5_number_lower('jitter|{0}|' || p.b || '|' || sp.function) % 1000001)::DOUBLE / 1000000)";
            var hasPerformance = _performanceColumns.Count > 0;
            if (hasPerformance)
            {
                var j = string.Format(CultureInfo.InvariantCulture, jitter, tag);
                var performanceSelect = SelectList(_performanceColumns, "sp", new Dictionary<string, string>
                {
                    ["run_key"] = "p.run_key",
                    ["bundle_id"] = "p.bundle_id",
                    ["observed_at"] = $"CASE WHEN sp.observed_at IS NULL THEN NULL ELSE p.start_at + to_microseconds({RunSpanUs}) END",
                    ["received_at"] = receivedAt,
                    ["p50_ms"] = $"sp.p50_ms * {j}",
                    ["p95_ms"] = $"sp.p95_ms * {j}",
                    ["max_ms"] = $"sp.max_ms * {j}",
                });
                sequence = 0;
                var used = Rows(db, "SELECT DISTINCT sp._part FROM plan p JOIN seed_perf sp ON sp.run_key = p.seed_run", r => r.GetInt32(0));
                foreach (var (part, library, version) in Partitions("seed_perf").Where(p => used.Contains(p.Part)))
                {
                    Copy(db, Stage(LakePaths.Partition("performance", library, version), ref sequence), _performanceColumns, $"""
                        SELECT {performanceSelect}
                        FROM plan p JOIN seed_perf sp ON sp.run_key = p.seed_run
                        WHERE sp._part = {part}
                        ORDER BY p.b, sp.function
                        """);
                }
            }

            Exec(db, hasPerformance
                ? "CREATE TABLE perf_counts AS SELECT p.b, count(*)::BIGINT AS n FROM plan p JOIN seed_perf sp ON sp.run_key = p.seed_run GROUP BY p.b"
                : "CREATE TABLE perf_counts (b BIGINT, n BIGINT)");

            if (_catalogColumns.Count > 0)
            {
                // Each catalog row is credited to the first generated bundle replaying its seed bundle (else bundle 0),
                // so every bundle_id in the lake is in the ledger and catalog_rows adds up.
                Exec(db, """
                    CREATE TABLE cat_rows AS
                    SELECT c.*, coalesce(m.b, 0) AS _b
                    FROM seed_cat c LEFT JOIN (SELECT seed_bundle, min(b) AS b FROM plan GROUP BY seed_bundle) m ON m.seed_bundle = c.bundle_id;
                    CREATE TABLE cat_counts AS SELECT _b AS b, count(*)::BIGINT AS n FROM cat_rows GROUP BY _b;
                    """);
                var catalogSelect = SelectList(_catalogColumns, "c", new Dictionary<string, string> { ["bundle_id"] = "p.bundle_id", ["received_at"] = receivedAt });
                sequence = 0;
                Copy(db, Stage("catalog", ref sequence), _catalogColumns, $"""
                    SELECT {catalogSelect}
                    FROM cat_rows c JOIN plan p ON p.b = c._b
                    ORDER BY c.library, c.version, c.code
                    """);
            }
            else
            {
                Exec(db, "CREATE TABLE cat_counts (b BIGINT, n BIGINT)");
            }

            var bundleSelect = SelectList(_bundleColumns, "sb", new Dictionary<string, string>
            {
                ["bundle_id"] = "p.bundle_id",
                ["receipt"] = "left(p.bundle_id, 24)",
                ["ingest_id"] = Lit(ingestId),
                ["received_at"] = receivedAt,
                ["run_key"] = "p.run_key",
                ["events_seen"] = "p.n",
                ["events_written"] = "p.n",
                ["events_duplicate"] = "0",
                ["events_rejected"] = "0",
                ["performance_rows"] = "coalesce(pc.n, 0)",
                ["catalog_rows"] = "coalesce(cc.n, 0)",
                ["libraries"] = "coalesce(l.libraries, '')",
                ["schema_version"] = LakeSchema.Version.ToString(CultureInfo.InvariantCulture),
            });
            sequence = 0;
            Copy(db, Stage("bundles", ref sequence), _bundleColumns, $"""
                SELECT {bundleSelect}
                FROM plan p
                LEFT JOIN seed_b sb ON sb.bundle_id = p.seed_bundle
                LEFT JOIN perf_counts pc ON pc.b = p.b
                LEFT JOIN cat_counts cc ON cc.b = p.b
                LEFT JOIN libs l ON l.b = p.b
                ORDER BY p.b
                """);
            return _moves;
        }

        /// <summary>Reserves the next file name of a folder; files are committed in the order staged.</summary>
        private string Stage(string folder, ref int sequence)
        {
            var relative = Path.Combine(folder, $"part-{ingestId}-{sequence++:D5}.parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(staging, relative))!);
            _moves.Add(relative);
            return relative;
        }

        private void Copy(DuckDBConnection connection, string relative, List<Column> expected, string select)
        {
            var path = Path.Combine(staging, relative);
            var metadata = $"{{{Lit(LakeSchema.MetadataKey)}: {Lit(LakeSchema.Version.ToString(CultureInfo.InvariantCulture))}}}";
            Exec(connection, $"""
                COPY ({select}) TO {Lit(path)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {RowGroupSize}, KV_METADATA {metadata})
                """);
            var written = Describe(connection, $"read_parquet({Lit(path)}, hive_partitioning = false)");
            if (!written.SequenceEqual(expected))
            {
                throw new GenLakeException($"{relative}: columns differ from the seed's: wrote ({string.Join(", ", written)}), seed has ({string.Join(", ", expected)})");
            }
        }

        private List<(int Part, string Library, string Version)> Partitions(string table) =>
            Rows(db, $"SELECT DISTINCT _part, library, version FROM {table} ORDER BY _part",
                r => (r.GetInt32(0), r.GetString(1), r.GetString(2)));

        // Column names, order and types of a table's files (partition columns excluded).
        private List<Column> Columns(string tableDir) => Describe(db, Flat(tableDir));

        private static string SelectList(List<Column> columns, string alias, Dictionary<string, string> overrides)
        {
            var missing = overrides.Keys.Except(columns.Select(c => c.Name)).ToList();
            if (missing.Count > 0)
            {
                throw new GenLakeException($"the seed lake lacks the column(s) {string.Join(", ", missing)}: not a schema-version-{LakeSchema.Version} lake");
            }

            return string.Join(",\n", columns.Select(c => overrides.TryGetValue(c.Name, out var expression)
                ? $"CAST({expression} AS {c.Type}) AS {Ident(c.Name)}"
                : $"{alias}.{Ident(c.Name)}"));
        }
    }

    /// <summary>
    /// Joins as written: the big side (the event positions) probes hash tables of the small seed tables. The
    /// optimizer, misled by the modulo join key, otherwise builds the hash table on the big side (slower, and
    /// rows leave in hash order). A per-connection setting, so every duplicated connection needs it too.
    /// </summary>
    private static void Configure(DuckDBConnection connection) =>
        Exec(connection, "SET disabled_optimizers = 'join_order,build_side_probe_side'");

    private sealed record Column(string Name, string Type)
    {
        public override string ToString() => $"{Name} {Type}";
    }

    private static List<Column> Describe(DuckDBConnection db, string source) =>
        Rows(db, $"DESCRIBE SELECT * FROM {source}", r => new Column(r.GetString(0), r.GetString(1)));

    /// <summary>A flat table folder (or a Hive one read without its partition columns).</summary>
    private static string Flat(string tableDir) =>
        $"read_parquet({Lit(Path.Combine(tableDir, "**", "*.parquet"))}, hive_partitioning = false, union_by_name = true)";

    private static string Hive(string tableDir) =>
        $"read_parquet({Lit(Path.Combine(tableDir, "**", "*.parquet"))}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)";

    private static string Lit(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Ident(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Time(DateTime utc) => $"TIMESTAMPTZ '{utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'";

    private static void Exec(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static List<T> Rows<T>(DuckDBConnection db, string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
