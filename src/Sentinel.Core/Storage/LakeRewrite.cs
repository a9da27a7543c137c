using System.Globalization;
using System.Security.Cryptography;
using DuckDB.NET.Data;

namespace Sentinel.Storage;

/// <summary>
/// One rewrite of committed rows (forget, retention, compaction), crash-safe and atomic for readers:
/// <list type="number">
/// <item>new files are written under <c>_staging/rw-…/</c> (a crash here leaves the lake untouched);</item>
/// <item><c>state/generation</c> is bumped, then a journal lists the moves and the replaced files (the point
/// of no return: from here a crash is rolled forward by the next command that takes the lock);</item>
/// <item>the new files are renamed into the lake, still invisible (their rewrite is not in the log yet);</item>
/// <item><c>state/rewrites.json</c> names the rewrite: readers switch to the new files and stop seeing the
/// replaced ones in that one rename;</item>
/// <item>the replaced files are deleted.</item>
/// </list>
/// New Parquet files are written by DuckDB (<c>COPY … TO … (FORMAT parquet)</c>), streaming, with the same
/// logical types as the ingest writer and the same schema-version metadata.
/// </summary>
internal sealed class LakeRewrite
{
    private readonly LakePaths _paths;
    private readonly string _stagingRoot;
    private readonly List<JournalMove> _moves = [];
    private readonly List<string> _superseded = [];
    private int _sequence;
    private bool _journalWritten;

    public LakeRewrite(LakePaths paths, TimeProvider clock)
    {
        _paths = paths;
        Id = $"{RewriteLog.Prefix}{clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        _stagingRoot = Path.Combine(paths.Staging, Id);
    }

    public string Id { get; }

    /// <summary>Test seam: called before every visible step of the commit (each rename, the log, each delete).</summary>
    internal Action<string>? BeforeStep { get; init; }

    public bool HasChanges => _moves.Count > 0 || _superseded.Count > 0;

    public int FilesWritten => _moves.Count(m => m.Final.EndsWith(".parquet", StringComparison.Ordinal));

    public int FilesReplaced => _superseded.Count;

    /// <summary>
    /// Writes <paramref name="select"/>'s rows (a DuckDB query) as a new Parquet file into the folder of
    /// the table file <paramref name="likeFile"/> (same table, same partition). Returns the rows written.
    /// </summary>
    public long WriteParquet(DuckDBConnection db, string likeFile, string select)
    {
        var relativeDir = Path.GetRelativePath(_paths.Root, Path.GetDirectoryName(Path.GetFullPath(likeFile))!);
        var relative = Path.Combine(relativeDir, $"part-{Id}-{_sequence++:D5}.parquet");
        var staged = Path.Combine(_stagingRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        var version = LakeSchema.Version.ToString(CultureInfo.InvariantCulture);
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"COPY ({select}) TO {DuckDb.Literal(staged)} " +
                          $"(FORMAT parquet, COMPRESSION snappy, KV_METADATA {{'{LakeSchema.MetadataKey}': '{version}'}})";
        cmd.ExecuteNonQuery();

        // Read back: the count callers check against what they meant to keep.
        using var count = db.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {DuckDb.ReadParquetStored([staged])}";
        var rows = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        _moves.Add(new JournalMove(relative, relative));
        return rows;
    }

    /// <summary>Stages any file (e.g. <c>state/retired.duckdb</c>) to replace <paramref name="relative"/> at commit.</summary>
    public string StageFile(string relative)
    {
        var staged = Path.Combine(_stagingRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        _moves.Add(new JournalMove(relative, relative));
        return staged;
    }

    /// <summary>Marks a committed lake file as replaced: hidden when the rewrite commits, then deleted.</summary>
    public void Supersede(string file) =>
        _superseded.Add(Path.GetRelativePath(_paths.Root, Path.GetFullPath(file)));

    /// <summary>Commits everything staged. Call under the lake lock.</summary>
    public void Commit()
    {
        if (!HasChanges)
        {
            Abandon();
            return;
        }

        foreach (var move in _moves)
        {
            Fsync(Path.Combine(_stagingRoot, move.Staged));
        }

        // Bumped first: a crash after this either rolls the rewrite forward or leaves the lake as it was;
        // both are fine for a reader that rebuilds on a new generation (one rebuild too many at worst).
        LakeGeneration.Bump(_paths);
        var journal = new Journal(Id, [.. _moves], [.. _superseded]);
        BeforeStep?.Invoke("journal");
        var journalPath = LakeWriter.WriteJournal(_paths, journal);
        _journalWritten = true;
        LakeWriter.Apply(_paths, journal, BeforeStep);
        File.Delete(journalPath);
        Abandon();
    }

    /// <summary>Discards what was staged, unless the journal already promised it to the lake.</summary>
    public void Abandon()
    {
        if (_journalWritten && File.Exists(Path.Combine(_paths.Journal, Id + ".json")))
        {
            return;
        }

        LakeWriter.RemoveStaging(_paths, _stagingRoot);
    }

    private static void Fsync(string file)
    {
        if (File.Exists(file))
        {
            using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            f.Flush(flushToDisk: true);
        }
    }
}
