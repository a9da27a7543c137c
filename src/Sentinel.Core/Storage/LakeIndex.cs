using DuckDB.NET.Data;

namespace Sentinel.Storage;

/// <summary>
/// What the lake already holds, for deduplication: read with DuckDB straight from the
/// committed Parquet files (no side index that could drift from them).
/// </summary>
internal sealed class LakeIndex : IDisposable
{
    private readonly LakePaths _paths;
    private readonly DuckDBConnection _connection;

    public LakeIndex(LakePaths paths)
    {
        _paths = paths;
        _connection = DuckDb.Open();
        // The look-ups stream one column of a few runs; DuckDB's default limit (80% of RAM) only lets
        // its buffer pool grow inside the ingest's process. The limit is per database, so it is set here.
        DuckDb.Execute(_connection, "SET memory_limit = '128MB'");
    }

    public HashSet<string> BundleIds() =>
        LakePaths.HasFiles(_paths.Bundles)
            ? Strings($"SELECT bundle_id FROM read_parquet({DuckDb.Glob(_paths.Bundles, partitioned: false)})")
            : [];

    /// <summary>Content ids of uploads removed by <c>sentinel forget</c>: the same bytes are never stored again.</summary>
    public HashSet<string> ForgottenBundleIds() =>
        Directory.Exists(_paths.Forgotten)
            ? Directory.EnumerateFiles(_paths.Forgotten).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// event_ids already stored for these runs, in the committed lake and in <paramref name="staged"/>
    /// (this ingest's own files, not yet committed), as 128-bit values (not one string object each).
    /// </summary>
    public EventIdSet EventIds(IReadOnlyCollection<string> runKeys, IReadOnlyList<string> staged)
    {
        var set = new EventIdSet();
        var committed = LakePaths.HasFiles(_paths.Events);
        if (runKeys.Count == 0 || (!committed && staged.Count == 0))
        {
            return set;
        }

        var runs = DuckDb.HexList(runKeys);
        // An id is 32 hex digits: DuckDB hands it over as two 64-bit halves, so a run of a million events
        // is read without a million strings.
        const string Halves = "('0x' || substr(event_id, 1, 16))::UBIGINT AS hi, ('0x' || substr(event_id, 17, 16))::UBIGINT AS lo";
        var sources = new List<string>();
        if (committed)
        {
            sources.Add($"SELECT {Halves} FROM read_parquet({DuckDb.Glob(_paths.Events, partitioned: true)}) WHERE run_key IN ({runs})");
        }

        if (staged.Count > 0)
        {
            sources.Add($"SELECT {Halves} FROM {DuckDb.ReadParquet(staged, partitioned: false)} WHERE run_key IN ({runs})");
        }

        using var cmd = _connection.CreateCommand();
        cmd.CommandText = string.Join(" UNION ALL ", sources);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0) && !reader.IsDBNull(1))
            {
                set.Add(new UInt128(reader.GetFieldValue<ulong>(0), reader.GetFieldValue<ulong>(1)));
            }
        }

        return set;
    }

    /// <summary>(run_key|function) already stored for these runs.</summary>
    /// <summary>The largest call count stored per <c>run_key|function</c> of these runs (a missing count is 0).</summary>
    public Dictionary<string, long> PerformanceCalls(IReadOnlyCollection<string> runKeys)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        if (runKeys.Count == 0 || !LakePaths.HasFiles(_paths.Performance))
        {
            return calls;
        }

        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"SELECT run_key || '|' || function, max(coalesce(\"count\", 0)) FROM read_parquet({DuckDb.Glob(_paths.Performance, partitioned: true)}) " +
            $"WHERE run_key IN ({DuckDb.HexList(runKeys)}) GROUP BY 1";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            calls[reader.GetString(0)] = reader.GetInt64(1);
        }

        return calls;
    }

    private HashSet<string> Strings(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                set.Add(reader.GetString(0));
            }
        }

        return set;
    }

    public void Dispose() => _connection.Dispose();
}
