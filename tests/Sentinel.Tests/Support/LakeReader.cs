using DuckDB.NET.Data;
using Sentinel.Storage;

namespace Sentinel.Tests.Support;

/// <summary>Reads a lake back with real DuckDB, the way any Parquet engine would.</summary>
public sealed class LakeReader : IDisposable
{
    private readonly DuckDBConnection _db = DuckDb.Open();
    private readonly LakePaths _paths;

    public LakeReader(string lake)
    {
        _paths = new LakePaths(lake);
        Create("events", _paths.Events, partitioned: true);
        Create("performance", _paths.Performance, partitioned: true);
        Create("catalog", _paths.Catalog, partitioned: false);
        Create("bundles", _paths.Bundles, partitioned: false);
    }

    private void Create(string name, string dir, bool partitioned)
    {
        var source = LakePaths.HasFiles(dir)
            ? $"SELECT * FROM read_parquet({DuckDb.Glob(dir, partitioned)})"
            : name switch
            {
                "events" => "SELECT NULL::VARCHAR AS event_id, NULL::VARCHAR AS bundle_id, NULL::VARCHAR AS run_key, NULL::VARCHAR AS library, NULL::VARCHAR AS version, NULL::VARCHAR AS level, NULL::VARCHAR AS code, NULL::VARCHAR AS trace_hash WHERE false",
                "performance" => "SELECT NULL::VARCHAR AS run_key, NULL::VARCHAR AS function, NULL::VARCHAR AS library, NULL::VARCHAR AS version WHERE false",
                "catalog" => "SELECT NULL::VARCHAR AS library, NULL::VARCHAR AS code WHERE false",
                _ => "SELECT NULL::VARCHAR AS bundle_id, NULL::VARCHAR AS receipt WHERE false",
            };
        Execute($"CREATE VIEW {name} AS {source}");
    }

    public void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public T Scalar<T>(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        var value = cmd.ExecuteScalar();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public List<object?[]> Rows(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++)
            {
                row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public Dictionary<string, long> CountBy(string sql) =>
        Rows(sql).ToDictionary(r => r[0]?.ToString() ?? "<none>", r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Every cell of every table as text, decoded (not grepped from compressed bytes).</summary>
    public IEnumerable<string> AllCellText()
    {
        foreach (var table in new[] { "events", "performance", "catalog", "bundles" })
        {
            foreach (var row in Rows($"SELECT * FROM {table}"))
            {
                foreach (var cell in row)
                {
                    if (cell is not null)
                    {
                        yield return Convert.ToString(cell, System.Globalization.CultureInfo.InvariantCulture)!;
                    }
                }
            }
        }
    }

    public void Dispose() => _db.Dispose();
}
