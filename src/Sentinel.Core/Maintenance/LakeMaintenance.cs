using System.Globalization;
using DuckDB.NET.Data;
using Sentinel.Aggregate;
using Sentinel.Ingest;
using Sentinel.Storage;

namespace Sentinel.Maintenance;

/// <summary>What <c>sentinel forget</c> did.</summary>
/// <param name="Found">Receipts that matched uploads in the ledger, with the bundle ids they named.</param>
/// <param name="NotFound">Receipts no ledger row carries (never ingested, rejected, or already forgotten).</param>
public sealed record ForgetResult(
    IReadOnlyDictionary<string, IReadOnlyList<string>> Found, IReadOnlyList<string> NotFound,
    IReadOnlyList<TableChange> Tables, int QuarantineEntriesRemoved, string? RewriteId, bool DryRun)
{
    /// <summary>Deletion requests taken from an inbox's <c>.forget/</c> markers (<see cref="LakeMaintenance.ForgetRequested"/>).</summary>
    public int InboxMarkers { get; init; }
}

/// <summary>What <c>sentinel retention</c> did.</summary>
public sealed record RetentionResult(
    DateTimeOffset Cutoff, IReadOnlyList<TableChange> Tables, long EventsRetired, long PerformanceRowsRetired,
    string? RewriteId, bool DryRun);

/// <summary>One partition folder compacted.</summary>
public sealed record CompactedPartition(string Partition, int FilesBefore, long Rows);

/// <summary>What <c>sentinel compact</c> did.</summary>
public sealed record CompactResult(IReadOnlyList<CompactedPartition> Partitions, int FilesBefore, int FilesAfter, string? RewriteId, bool DryRun);

/// <summary>
/// Lake maintenance (DESIGN §4): forget one upload, drop raw rows past a retention window, merge small
/// files. Each is one <see cref="LakeRewrite"/> under the lake lock: idempotent (a re-run finds nothing
/// left to do), crash-safe (rolled forward or left untouched), and atomic for readers. Each bumps
/// <c>state/generation</c>, so the next <c>sentinel aggregate</c> rebuilds its partials.
/// </summary>
public static class LakeMaintenance
{
    /// <summary>Removes every row of the uploads with these receipts (upload or ingest receipts) from the lake.</summary>
    public static ForgetResult Forget(Lake lake, IReadOnlyList<string> receipts, bool dryRun) =>
        Forget(lake, receipts, dryRun, beforeStep: null);

    /// <param name="beforeStep">Test seam: called before every visible step of the rewrite's commit.</param>
    internal static ForgetResult Forget(Lake lake, IReadOnlyList<string> receipts, bool dryRun, Action<string>? beforeStep)
    {
        var paths = Existing(lake);
        using var lakeLock = LakeLock.Acquire(paths);
        LakeWriter.Recover(paths);
        using var db = DuckDb.Open();
        var files = LakeFiles.Scan(paths, db);
        var found = ResolveReceipts(db, files.Bundles, receipts);
        var bundleIds = found.Values.SelectMany(v => v).Distinct(StringComparer.Ordinal).ToList();
        var notFound = receipts.Where(r => !found.ContainsKey(r)).Distinct(StringComparer.Ordinal).ToList();

        var rewrite = new LakeRewrite(paths, lake.Clock) { BeforeStep = beforeStep };
        var tables = new List<TableChange>();
        try
        {
            if (bundleIds.Count > 0)
            {
                DuckDb.Execute(db, "CREATE OR REPLACE TEMP TABLE forget_ids (bundle_id VARCHAR)");
                DuckDb.Execute(db, $"INSERT INTO forget_ids VALUES {string.Join(", ", bundleIds.Select(b => $"({DuckDb.Literal(b)})"))}");
                const string predicate = "bundle_id IN (SELECT bundle_id FROM forget_ids)";
                tables.Add(RowRewriter.DropRows(db, rewrite, "events", files.AllEventFiles, predicate, !dryRun));
                tables.Add(RowRewriter.DropRows(db, rewrite, "performance", files.AllPerformanceFiles, predicate, !dryRun));
                tables.Add(RowRewriter.DropRows(db, rewrite, "catalog", files.Catalog, predicate, !dryRun));
                tables.Add(RowRewriter.DropRows(db, rewrite, "bundles", files.Bundles, predicate, !dryRun));
            }

            if (!dryRun)
            {
                // Tombstones first: if the commit below is interrupted, a re-run of ingest still stores nothing of
                // these uploads, and the next forget or command finishes removing their rows.
                WriteTombstones(paths, bundleIds);
                rewrite.Commit();
            }
        }
        finally
        {
            rewrite.Abandon();
        }

        // The quarantined copies of these uploads go too (an upload rejected at ingest is only there).
        var quarantined = Quarantine.List(paths).Where(e => InboxFiles.UploadReceipt(e.Input) is { } r && receipts.Contains(r)).ToList();
        if (!dryRun)
        {
            foreach (var entry in quarantined)
            {
                Quarantine.Remove(paths, entry.Id);
            }
        }

        return new ForgetResult(found, notFound, tables, quarantined.Count, rewrite.HasChanges && !dryRun ? rewrite.Id : null, dryRun);
    }

    /// <summary>One empty file per forgotten content id, so the same bytes are never ingested again.</summary>
    private static void WriteTombstones(LakePaths paths, IReadOnlyList<string> bundleIds)
    {
        if (bundleIds.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(paths.Forgotten);
        foreach (var id in bundleIds)
        {
            using var _ = new FileStream(Path.Combine(paths.Forgotten, id), FileMode.OpenOrCreate, FileAccess.Write);
        }
    }

    /// <summary>
    /// Forgets <paramref name="receipts"/> and every upload whose deletion <c>sentinel serve</c> recorded after its
    /// ingest (markers in <c>&lt;inbox&gt;/.forget/</c>), then clears those markers and the processed copies in
    /// <c>.done/</c>, also for a marker the lake held nothing for (a rejected upload). Nothing to do: no lake needed.
    /// </summary>
    public static ForgetResult ForgetRequested(Lake lake, IReadOnlyList<string> receipts, string inbox, bool dryRun)
    {
        var pending = InboxFiles.PendingForgets(inbox);
        var all = receipts.Concat(pending).Distinct(StringComparer.Ordinal).ToList();
        var result = all.Count == 0
            ? new ForgetResult(new Dictionary<string, IReadOnlyList<string>>(), [], [], 0, null, dryRun)
            : Forget(lake, all, dryRun);
        if (!dryRun)
        {
            foreach (var receipt in pending)
            {
                InboxFiles.CompleteForget(inbox, receipt);
            }
        }

        return result with { InboxMarkers = pending.Count };
    }

    /// <summary>
    /// Deletes the raw event and timing rows received before <c>now − olderThan</c>. Their partials are
    /// added to <c>state/retired.duckdb</c> in the same commit, so the summaries keep counting them.
    /// The ledger and the catalog stay (no telemetry in them; the ledger keeps re-uploads from counting twice).
    /// </summary>
    public static RetentionResult Retention(Lake lake, TimeSpan olderThan, bool dryRun) =>
        Retention(lake, olderThan, dryRun, beforeStep: null);

    internal static RetentionResult Retention(Lake lake, TimeSpan olderThan, bool dryRun, Action<string>? beforeStep)
    {
        if (olderThan <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(olderThan), "the retention window must be positive");
        }

        var paths = Existing(lake);
        var time = lake.Clock;
        var cutoff = time.GetUtcNow() - olderThan;
        using var lakeLock = LakeLock.Acquire(paths);
        LakeWriter.Recover(paths);
        using var db = DuckDb.Open();
        DuckDb.Execute(db, "SET TimeZone = 'UTC'");
        var files = LakeFiles.Scan(paths, db);
        var predicate = $"received_at < TIMESTAMPTZ {DuckDb.Literal(cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture))}";

        var rewrite = new LakeRewrite(paths, time) { BeforeStep = beforeStep };
        try
        {
            var events = RowRewriter.DropRows(db, rewrite, "events", files.AllEventFiles, predicate, !dryRun);
            var performance = RowRewriter.DropRows(db, rewrite, "performance", files.AllPerformanceFiles, predicate, !dryRun);
            long retiredEvents = events.RowsRemoved, retiredPerformance = performance.RowsRemoved;
            if (!dryRun && rewrite.HasChanges)
            {
                var staged = rewrite.StageFile(Path.GetRelativePath(paths.Root, Aggregator.RetiredPath(paths)));
                (retiredEvents, retiredPerformance) = Aggregator.Retire(paths, staged, files.AllEventFiles, files.AllPerformanceFiles, predicate);
                if (retiredEvents != events.RowsRemoved || retiredPerformance != performance.RowsRemoved)
                {
                    throw new InvalidDataException($"retention: the retired partials ({retiredEvents} events, {retiredPerformance} timing rows) and the rows to delete ({events.RowsRemoved}, {performance.RowsRemoved}) disagree; nothing was changed");
                }

                rewrite.Commit();
            }

            return new RetentionResult(cutoff, [events, performance], retiredEvents, retiredPerformance,
                rewrite.HasChanges && !dryRun ? rewrite.Id : null, dryRun);
        }
        finally
        {
            rewrite.Abandon();
        }
    }

    /// <summary>Files at least this large are left as they are by <see cref="Compact"/>.</summary>
    public const long CompactTargetBytes = 128L * 1024 * 1024;

    /// <summary>
    /// Merges the small files (under <see cref="CompactTargetBytes"/>) of every partition folder (and of
    /// <c>catalog/</c> and <c>bundles/</c>) that has more than one into one file, keeping the rows and their order.
    /// </summary>
    /// <param name="all">Rewrite every file, also a partition's only one and large ones: migrates files written by older versions.</param>
    public static CompactResult Compact(Lake lake, bool dryRun, bool all = false) =>
        Compact(lake, dryRun, beforeStep: null, all);

    internal static CompactResult Compact(Lake lake, bool dryRun, Action<string>? beforeStep, bool all = false)
    {
        var paths = Existing(lake);
        using var lakeLock = LakeLock.Acquire(paths);
        LakeWriter.Recover(paths);
        using var db = DuckDb.Open();
        var files = LakeFiles.Scan(paths, db);
        var groups = files.AllEventFiles.Concat(files.AllPerformanceFiles).Concat(files.Catalog).Concat(files.Bundles)
            .Where(f => all || new FileInfo(f).Length < CompactTargetBytes)
            .GroupBy(f => Path.GetDirectoryName(f)!, StringComparer.Ordinal)
            .Where(g => all || g.Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var total = files.AllEventFiles.Count + files.AllPerformanceFiles.Count + files.Catalog.Count + files.Bundles.Count;

        var rewrite = new LakeRewrite(paths, lake.Clock) { BeforeStep = beforeStep };
        var partitions = new List<CompactedPartition>();
        try
        {
            foreach (var group in groups)
            {
                var members = group.Order(StringComparer.Ordinal).ToList();
                long rows;
                if (dryRun)
                {
                    using var cmd = db.CreateCommand();
                    cmd.CommandText = $"SELECT count(*) FROM {DuckDb.ReadParquetStored(members)}";
                    rows = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
                }
                else
                {
                    rows = rewrite.WriteParquet(db, members[0], $"SELECT * FROM {DuckDb.ReadParquetStored(members)}");
                    members.ForEach(rewrite.Supersede);
                }

                partitions.Add(new CompactedPartition(Path.GetRelativePath(paths.Root, group.Key), members.Count, rows));
            }

            if (!dryRun)
            {
                rewrite.Commit();
            }
        }
        finally
        {
            rewrite.Abandon();
        }

        var after = total - partitions.Sum(p => p.FilesBefore) + partitions.Count;
        return new CompactResult(partitions, total, after, rewrite.HasChanges && !dryRun ? rewrite.Id : null, dryRun);
    }

    /// <summary>Parses a retention window: <c>180d</c>, <c>26w</c>, <c>36h</c>.</summary>
    public static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = TimeSpan.Zero;
        if (text is not { Length: >= 2 } || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }

        window = char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            'h' => TimeSpan.FromHours(n),
            _ => TimeSpan.Zero,
        };
        return window > TimeSpan.Zero;
    }

    private static Dictionary<string, IReadOnlyList<string>> ResolveReceipts(DuckDBConnection db, IReadOnlyList<string> ledgerFiles, IReadOnlyList<string> receipts)
    {
        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var wanted = receipts.Where(InboxFiles.IsReceipt).Distinct(StringComparer.Ordinal).ToList();
        if (ledgerFiles.Count > 0 && wanted.Count > 0)
        {
            var source = DuckDb.ReadParquetStored(ledgerFiles);
            using var describe = db.CreateCommand();
            describe.CommandText = $"SELECT count(*) FROM (DESCRIBE SELECT * FROM {source}) WHERE column_name = 'upload_receipt'";
            var hasUploadReceipt = Convert.ToInt64(describe.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
            var list = string.Join(", ", wanted.Select(DuckDb.Literal));
            using var cmd = db.CreateCommand();
            cmd.CommandText = hasUploadReceipt
                ? $"SELECT receipt, upload_receipt, bundle_id FROM {source} WHERE receipt IN ({list}) OR upload_receipt IN ({list})"
                : $"SELECT receipt, NULL, bundle_id FROM {source} WHERE receipt IN ({list})";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                foreach (var key in new[] { reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1) })
                {
                    if (key is not null && wanted.Contains(key))
                    {
                        if (!found.TryGetValue(key, out var ids))
                        {
                            found[key] = ids = [];
                        }

                        ids.Add(reader.GetString(2));
                    }
                }
            }
        }

        return found.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    private static LakePaths Existing(Lake lake) => lake.Require("nothing to do").Paths;
}
