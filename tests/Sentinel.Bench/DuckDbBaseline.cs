using System.Diagnostics;
using System.Globalization;
using Sentinel.Storage;

namespace Sentinel.Bench;

internal sealed record BaselineResult(long Events, long InputBytes, long OutputBytes, double Seconds);

/// <summary>
/// The peer baseline for ingest: DuckDB's own JSON reader and Parquet writer over the same events. The plain
/// baseline is the call a user reaches for, <c>COPY (SELECT * FROM read_ndjson(...)) TO 'x.parquet' (FORMAT
/// parquet)</c> with DuckDB's defaults (all cores, Snappy); <paramref name="unionByName"/> adds
/// <c>union_by_name = true</c>, the earlier (slower) baseline kept as a second column. Its input is the NDJSON
/// twin that gen-bundles writes next to the scale set (DuckDB reads neither zip nor tar). See docs/benchmarks.md.
/// </summary>
internal static class DuckDbBaseline
{
    public static BaselineResult Run(string input, string output, bool unionByName)
    {
        var clock = Stopwatch.StartNew();
        var dir = Path.GetFullPath(input);
        if (!Directory.Exists(dir))
        {
            throw new GenLakeException($"{input}: folder not found");
        }

        var files = Directory.GetFiles(dir, "*.jsonl");
        if (files.Length == 0)
        {
            throw new GenLakeException($"{input}: no *.jsonl file (make it with `sentinel-bench gen-bundles`)");
        }

        var target = Path.GetFullPath(output);
        if (File.Exists(target))
        {
            File.Delete(target);
        }

        using var db = DuckDb.Open();
        long events;
        using (var cmd = db.CreateCommand())
        {
            // One event per line; column types inferred by DuckDB. union_by_name: each file's structure is
            // detected and the schemas merged, which is what DuckDB itself asks for when files differ.
            var source = unionByName
                ? $"read_json({Lit(Path.Combine(dir, "*.jsonl"))}, format = 'newline_delimited', union_by_name = true)"
                : $"read_ndjson({Lit(Path.Combine(dir, "*.jsonl"))})";
            cmd.CommandText = $"COPY (SELECT * FROM {source}) TO {Lit(target)} (FORMAT parquet)";
            cmd.ExecuteNonQuery();
        }

        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = $"SELECT count(*) FROM read_parquet({Lit(target)})";
            events = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        return new BaselineResult(events, files.Sum(f => new FileInfo(f).Length), new FileInfo(target).Length, clock.Elapsed.TotalSeconds);
    }

    private static string Lit(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
