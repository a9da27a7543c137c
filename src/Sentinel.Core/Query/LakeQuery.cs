using System.Globalization;
using DuckDB.NET.Data;
using Parquet.Schema;
using Sentinel.Aggregate;
using Sentinel.Storage;

namespace Sentinel.Query;

/// <summary>The result of a read-only query: column names and types, and the rows.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<object?[]> Rows, bool Truncated);

/// <summary>A query that was refused or failed; the message says why.</summary>
public sealed class QueryException : Exception
{
    public QueryException(string message) : base(message) { }
    public QueryException() { }
    public QueryException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// <c>sentinel query</c>: read-only SQL over the lake. An in-memory DuckDB gets one view per lake table
/// (<c>events</c>, <c>performance</c>, <c>catalog</c>, <c>bundles</c>: committed files only) and per summary
/// (<c>summary_versions</c>, …); the statement must be a query, and runs as a subquery, so a write,
/// a second statement or a setting change cannot run at all. Only the lake's table and summary folders are
/// readable (<see cref="Confine"/>).
/// </summary>
public static class LakeQuery
{
    /// <summary>Statement keywords accepted: they only ever produce rows.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyKeywords = ["SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "PIVOT", "UNPIVOT"];

    public static QueryResult Run(Lake lake, string sql, int? limit)
    {
        var body = ReadOnlyBody(sql);
        var paths = lake.Require().Paths;

        using var db = DuckDb.Open();
        CreateViews(db, paths);
        Confine(db, paths);

        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM (\n{body}\n) AS sentinel_query";
        try
        {
            using var reader = cmd.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var types = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetDataTypeName(i)).ToList();
            var rows = new List<object?[]>();
            var truncated = false;
            while (reader.Read())
            {
                if (limit is { } max && rows.Count >= max)
                {
                    truncated = true;
                    break;
                }

                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }

            return new QueryResult(columns, types, rows, truncated);
        }
        catch (DuckDBException e)
        {
            var hint = e.Message.Contains("summary_", StringComparison.Ordinal) && !Directory.Exists(Path.Combine(paths.Root, Aggregator.SummaryFolder))
                ? " (the summary_* views exist after `sentinel aggregate`)"
                : "";
            if (body.Contains(';', StringComparison.Ordinal))
            {
                hint += " (give one statement only)";
            }

            throw new QueryException($"query failed: {FirstLine(e.Message)}{hint}", e);
        }
    }

    /// <summary>The statement as a subquery body, or a <see cref="QueryException"/> saying why it is refused.</summary>
    internal static string ReadOnlyBody(string sql)
    {
        var trimmed = sql.Trim();
        while (trimmed.EndsWith(';'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        var keyword = FirstKeyword(trimmed);
        if (keyword.Length == 0)
        {
            throw new QueryException("query: empty statement; give one SELECT (e.g. sentinel query \"SELECT library, count(*) FROM events GROUP BY ALL\")");
        }

        if (!ReadOnlyKeywords.Contains(keyword, StringComparer.OrdinalIgnoreCase))
        {
            throw new QueryException(
                $"query: refused: the statement starts with '{keyword}', and only read-only queries may run " +
                $"({string.Join(", ", ReadOnlyKeywords)}); the lake cannot be changed through `sentinel query`.");
        }

        return trimmed;
    }

    private static string FirstKeyword(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]) || sql[i] == '(')
            {
                i++;
            }
            else if (sql.AsSpan(i).StartsWith("--"))
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (sql.AsSpan(i).StartsWith("/*"))
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        var start = i;
        while (i < sql.Length && char.IsAsciiLetter(sql[i]))
        {
            i++;
        }

        return i > start ? sql[start..i] : i < sql.Length ? sql[i].ToString() : "";
    }

    private static void CreateViews(DuckDBConnection db, LakePaths paths)
    {
        LakeFiles files;
        using (var scan = DuckDb.Open())
        {
            files = LakeFiles.Scan(paths, scan);
        }

        var ingests = files.CommittedIngests.Order(StringComparer.Ordinal).ToList();
        View(db, "events", files.EventFiles(ingests).ToList(), LakeSchema.Events, partitioned: true);
        View(db, "performance", files.PerformanceFiles(ingests).ToList(), LakeSchema.Performance, partitioned: true);
        View(db, "catalog", files.Catalog, LakeSchema.Catalog, partitioned: false);
        View(db, "bundles", files.Bundles, LakeSchema.Bundles, partitioned: false);

        var summary = Path.Combine(paths.Root, Aggregator.SummaryFolder);
        foreach (var table in Aggregator.Tables)
        {
            var file = Path.Combine(summary, table + ".parquet");
            if (File.Exists(file))
            {
                Execute(db, $"CREATE VIEW summary_{table} AS SELECT * FROM read_parquet({DuckDb.Literal(file)})");
            }
        }
    }

    /// <summary>
    /// The statement can read the lake's tables and summaries and nothing else: no other file on the host (not
    /// <c>state/</c>, whose <c>secret.key</c> makes run and event ids pseudonymous), no network, no extension. DuckDB
    /// keeps only the listed folders readable once external access is off; then the session is made UTC like the
    /// summaries (day boundaries, printed times) and no setting can change again.
    /// </summary>
    private static void Confine(DuckDBConnection db, LakePaths paths)
    {
        var readable = new[] { paths.Events, paths.Performance, paths.Catalog, paths.Bundles, Path.Combine(paths.Root, Aggregator.SummaryFolder) }
            .Select(d => DuckDb.Literal(d + Path.DirectorySeparatorChar));
        Execute(db, $"SET allowed_directories = [{string.Join(", ", readable)}]");
        Execute(db, "SET enable_external_access = false; SET TimeZone = 'UTC'; SET lock_configuration = true;");
    }

    private static void View(DuckDBConnection db, string name, IReadOnlyList<string> files, ParquetSchema schema, bool partitioned)
    {
        if (files.Count > 0)
        {
            Execute(db, $"CREATE VIEW {name} AS SELECT * FROM {DuckDb.ReadParquet(files, partitioned)}");
            return;
        }

        // No files yet: an empty view with the contract's columns, so queries still bind.
        var columns = schema.DataFields.Select(f => $"NULL::{DuckType(f)} AS \"{f.Name}\"").ToList();
        if (partitioned)
        {
            columns.Add("NULL::VARCHAR AS library");
            columns.Add("NULL::VARCHAR AS version");
        }

        Execute(db, $"CREATE VIEW {name} AS SELECT {string.Join(", ", columns)} WHERE false");
    }

    private static string DuckType(DataField field) => field switch
    {
        DateTimeDataField => "TIMESTAMPTZ",
        _ when field.ClrType == typeof(long) => "BIGINT",
        _ when field.ClrType == typeof(int) => "INTEGER",
        _ when field.ClrType == typeof(double) => "DOUBLE",
        _ => "VARCHAR",
    };


    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static void Execute(DuckDBConnection db, string sql) => DuckDb.Execute(db, sql);

    /// <summary>A cell as plain text (table and CSV output): invariant culture, ISO timestamps, lists as [a, b].</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        // The session runs in UTC, so TIMESTAMPTZ values arrive as UTC wall-clock times.
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        System.Collections.IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Text(k)}: {Text(map[k])}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
