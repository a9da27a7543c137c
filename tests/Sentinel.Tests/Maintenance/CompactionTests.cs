using Sentinel.Storage;
using Sentinel.Maintenance;
using Sentinel.Tests.Support;
using static Sentinel.Tests.Maintenance.MaintenanceTestSupport;

namespace Sentinel.Tests.Maintenance;

/// <summary>
/// A lake of the good corpus bundles, each its own ingest: many small files per partition. Built once;
/// each test works on a copy.
/// </summary>
public sealed class SmallFilesLakeFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("sentinel-compact-template");

    public string Template => _dir.Sub("lake");

    public Dictionary<string, List<string>> Rows { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await IngestOneByOneAsync(Template, Corpus.Bundles.Take(14));
        Rows = VisibleRows(Template);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class CompactionTests(SmallFilesLakeFixture fixture) : IClassFixture<SmallFilesLakeFixture>, IDisposable
{
    private readonly TempDir _dir = new("sentinel-compact");

    private string CopyLake(string name = "lake")
    {
        var lake = _dir.Sub(name);
        CopyDirectory(fixture.Template, lake);
        return lake;
    }

    [Fact]
    public void Compaction_merges_each_partitions_small_files_into_one_and_keeps_every_row_and_every_summary()
    {
        var lake = CopyLake();
        AggregateLake(lake);
        var summaries = SummaryTables(lake);
        var filesBefore = ParquetFilesOnDisk(lake).Count;
        var generation = LakeGeneration.Read(new LakePaths(lake));

        // A reader looking at any moment of the commit sees every row exactly once.
        var steps = new List<string>();
        var result = LakeMaintenance.Compact(TestLake.At((lake)), dryRun: false, beforeStep: step =>
        {
            steps.Add(step);
            if (steps.Count % 4 != 1 && step != "state/rewrites.json" && steps[^2] != "state/rewrites.json")
            {
                return; // every fourth step and the publishing rename: each check reads the whole lake
            }

            AssertSameRows(fixture.Rows, VisibleRows(lake), $"during compaction, before {step}");
        });

        Assert.NotNull(result.RewriteId);
        Assert.NotEmpty(result.Partitions);
        Assert.Contains("state/rewrites.json", steps);
        Assert.Equal(filesBefore, result.FilesBefore);
        Assert.Equal(ParquetFilesOnDisk(lake).Count, result.FilesAfter);
        Assert.True(result.FilesAfter < filesBefore, $"{result.FilesAfter} files after, {filesBefore} before");
        AssertSameRows(fixture.Rows, VisibleRows(lake), "after compaction");
        AssertQuiescent(lake);
        Assert.All(ParquetFilesOnDisk(lake).GroupBy(Path.GetDirectoryName), g => Assert.Single(g));
        Assert.NotEqual(generation, LakeGeneration.Read(new LakePaths(lake)));

        var after = AggregateLake(lake);
        Assert.Contains("rewritten", after.RebuildReason, StringComparison.Ordinal);
        AssertSameSummaries(summaries, SummaryTables(lake), "aggregate after compaction");
    }

    [Fact]
    public void Compacting_a_compacted_lake_changes_nothing()
    {
        var lake = CopyLake();
        LakeMaintenance.Compact(TestLake.At(lake), dryRun: false);
        var generation = LakeGeneration.Read(new LakePaths(lake));
        var files = ParquetFilesOnDisk(lake);

        var again = LakeMaintenance.Compact(TestLake.At(lake), dryRun: false);

        Assert.Null(again.RewriteId);
        Assert.Empty(again.Partitions);
        Assert.Equal(generation, LakeGeneration.Read(new LakePaths(lake)));
        Assert.Equal(files, ParquetFilesOnDisk(lake));
    }

    [Fact]
    public void Compact_all_rewrites_every_file_and_keeps_every_row()
    {
        var lake = CopyLake();
        LakeMaintenance.Compact(TestLake.At(lake), dryRun: false);
        var compacted = ParquetFilesOnDisk(lake);
        var result = LakeMaintenance.Compact(TestLake.At(lake), dryRun: false, all: true);
        Assert.NotNull(result.RewriteId);
        Assert.Equal(compacted.Count, result.Partitions.Count);
        var rewritten = ParquetFilesOnDisk(lake);
        Assert.Equal(compacted.Count, rewritten.Count);
        Assert.Empty(rewritten.Intersect(compacted));
        AssertSameRows(fixture.Rows, VisibleRows(lake), "after compact --all");
        AssertQuiescent(lake);
    }

    [Fact]
    public void A_dry_run_reports_the_plan_and_writes_nothing()
    {
        var lake = CopyLake();
        var files = ParquetFilesOnDisk(lake);
        var plan = LakeMaintenance.Compact(TestLake.At(lake), dryRun: true);
        Assert.True(plan.DryRun);
        Assert.NotEmpty(plan.Partitions);
        Assert.Equal(fixture.Rows["events"].Count, plan.Partitions.Where(p => p.Partition.StartsWith("events", StringComparison.Ordinal)).Sum(p => p.Rows)
            + EventsInSingleFilePartitions(lake));
        Assert.Equal(files, ParquetFilesOnDisk(lake));
        Assert.Equal("0", LakeGeneration.Read(new LakePaths(lake)));
    }

    private static long EventsInSingleFilePartitions(string lake)
    {
        using var reader = new LakeReader(lake);
        var single = ParquetFilesOnDisk(lake).Where(f => f.Contains($"{Path.DirectorySeparatorChar}events{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .GroupBy(Path.GetDirectoryName).Where(g => g.Count() == 1).Select(g => g.Single()).ToList();
        return single.Count == 0 ? 0 : reader.Scalar<long>($"SELECT count(*) FROM {DuckDb.ReadParquetStored(single)}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_crash_at_any_step_leaves_readers_a_whole_lake_and_the_next_run_finishes_the_job()
    {
        // Find the steps of this compaction once, then crash before each in turn on a fresh copy.
        var probe = CopyLake("probe");
        var steps = new List<string>();
        LakeMaintenance.Compact(TestLake.At((probe)), dryRun: false, beforeStep: steps.Add);
        Assert.True(steps.Count >= 5, $"only {steps.Count} steps");

        var picks = CrashPoints(steps).ToList();
        foreach (var crashAt in picks)
        {
            var lake = CopyLake($"crash-{crashAt}");
            var seen = 0;
            Assert.Throws<SimulatedCrash>(() => LakeMaintenance.Compact(TestLake.At((lake)), dryRun: false, beforeStep: step =>
            {
                if (seen++ == crashAt)
                {
                    throw new SimulatedCrash(step);
                }
            }));

            // The crashed state, as a lock-free reader sees it: before or after, never a mix.
            AssertSameRows(fixture.Rows, VisibleRows(lake), $"crash before step {crashAt} ({steps[crashAt]})");

            // The next command that takes the lock rolls the rewrite forward (or it was never promised) and finishes.
            LakeMaintenance.Compact(TestLake.At(lake), dryRun: false);
            AssertSameRows(fixture.Rows, VisibleRows(lake), $"re-run after a crash before {steps[crashAt]}");
            AssertQuiescent(lake);
            Assert.All(ParquetFilesOnDisk(lake).GroupBy(Path.GetDirectoryName), g => Assert.Single(g));
        }
    }

    [Fact]
    public async Task Ingest_after_compaction_still_deduplicates_against_the_compacted_files()
    {
        var lake = CopyLake();
        LakeMaintenance.Compact(TestLake.At(lake), dryRun: false);
        var again = await SentinelRunner.IngestAsync(lake, [.. Corpus.Bundles.Take(14).Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!))]);
        Assert.Equal(0, again.EventsWritten);
        AssertSameRows(fixture.Rows, VisibleRows(lake), "re-ingest after compaction");
    }

    public void Dispose() => _dir.Dispose();
}
