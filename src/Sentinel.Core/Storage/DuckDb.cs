using DuckDB.NET.Data;

namespace Sentinel.Storage;

/// <summary>Embedded DuckDB set up the way every stage needs it: offline, versions kept as strings.</summary>
public static class DuckDb
{
    public static DuckDBConnection Open(string dataSource = ":memory:")
    {
        var connection = new DuckDBConnection($"DataSource={dataSource}");
        try
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            // No extension downloads: this must fail at once offline instead of hanging.
            cmd.CommandText = "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;";
            cmd.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A read_parquet source over a table folder; Hive values stay strings (1.10 is not 1.1).</summary>
    public static string Glob(string tableDir, bool partitioned) =>
        $"{Literal(Path.Combine(Path.GetFullPath(tableDir), "**", "*.parquet"))}{Options(partitioned)}";

    /// <summary><c>read_parquet([...])</c> over an explicit list of (committed) files, read the same way as <see cref="Glob"/>.</summary>
    public static string ReadParquet(IEnumerable<string> files, bool partitioned) =>
        $"read_parquet([{string.Join(", ", files.Select(Literal))}]{Options(partitioned)})";

    /// <summary>
    /// <c>read_parquet([...])</c> of the files' stored columns only, for rewriting them: no Hive columns
    /// (DuckDB would otherwise detect <c>library=…/version=…</c> in the paths and add them).
    /// </summary>
    public static string ReadParquetStored(IEnumerable<string> files, bool withFileName = false) =>
        $"read_parquet([{string.Join(", ", files.Select(Literal))}], hive_partitioning = false, union_by_name = true{(withFileName ? ", filename = true" : "")})";

    private static string Options(bool partitioned) =>
        partitioned ? ", hive_partitioning = true, hive_types_autocast = false, union_by_name = true" : ", union_by_name = true";

    /// <summary>A SQL string literal (paths, names).</summary>
    public static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    public static void Execute(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    internal static string HexList(IEnumerable<string> values) =>
        string.Join(",", values.Select(v => v.All(char.IsAsciiHexDigit)
            ? $"'{v}'"
            : throw new ArgumentException("run keys are hex strings", nameof(values))));
}
