using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Storage;

/// <summary>
/// Parquet.Net 6.1 writes INT64 timestamp statistics in milliseconds whatever the column's unit
/// (aloneguid/parquet-dotnet#769). With microsecond columns DuckDB pruned row groups by those statistics
/// and a plain WHERE on a timestamp answered wrongly. The lake stores milliseconds so both agree.
/// </summary>
public sealed class TimestampStatisticsTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-ts-stats");

    [Fact]
    public async Task Every_timestamp_columns_statistics_match_its_data_so_filters_answer_right()
    {
        var lake = _dir.Sub("lake");
        await SentinelRunner.IngestAsync(lake, [.. Corpus.Bundles.Take(10).Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!))]);
        using var reader = new LakeReader(lake);
        var files = Directory.EnumerateFiles(lake, "*.parquet", SearchOption.AllDirectories).Where(f => !f.Contains("summary", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        var checkedColumns = 0;
        foreach (var file in files)
        {
            foreach (var column in new[] { "timestamp", "received_at", "observed_at" })
            {
                var stats = reader.Rows($"SELECT stats_min_value, stats_max_value FROM parquet_metadata({DuckDb.Literal(file)}) WHERE path_in_schema = '{column}' AND stats_min_value IS NOT NULL");
                if (stats.Count == 0)
                {
                    continue;
                }

                // The data's own min and max, read without any pruning.
                var data = reader.Rows($"SELECT min({column})::VARCHAR, max({column})::VARCHAR FROM read_parquet({DuckDb.Literal(file)}, hive_partitioning = false)").Single();
                using var db = DuckDb.Open();
                DuckDb.Execute(db, "SET TimeZone = 'UTC'");
                Assert.Equal(Normalise(db, (string)stats[0][0]!), Normalise(db, (string)data[0]!));
                Assert.Equal(Normalise(db, (string)stats[0][1]!), Normalise(db, (string)data[1]!));
                checkedColumns++;
            }
        }

        Assert.True(checkedColumns >= files.Count, $"only {checkedColumns} timestamp columns had statistics");

        // A filter that statistics could prune gives what a full scan gives.
        var middle = reader.Scalar<string>("SELECT (min(timestamp) + (max(timestamp) - min(timestamp)) / 2)::VARCHAR FROM events");
        var pruned = reader.Scalar<long>($"SELECT count(*) FROM events WHERE timestamp < TIMESTAMPTZ '{middle}'");
        var scanned = reader.Scalar<long>($"SELECT count(*) FILTER (WHERE timestamp < TIMESTAMPTZ '{middle}') FROM events");
        Assert.Equal(scanned, pruned);
        Assert.True(scanned > 0);
    }

    private static string Normalise(DuckDB.NET.Data.DuckDBConnection db, string timestamp)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT epoch_ms(TIMESTAMPTZ {DuckDb.Literal(timestamp)})::VARCHAR";
        return (string)cmd.ExecuteScalar()!;
    }

    public void Dispose() => _dir.Dispose();
}
