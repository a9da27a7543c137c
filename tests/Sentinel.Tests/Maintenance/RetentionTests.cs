using Sentinel.Aggregate;
using Sentinel.Storage;
using Sentinel.Maintenance;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using static Sentinel.Tests.Maintenance.MaintenanceTestSupport;

namespace Sentinel.Tests.Maintenance;

public sealed class RetentionTests : IDisposable
{
    // Both after the corpus's newest event (2026-11-23): ingest refuses events more than a day after its clock.
    private static readonly DateTimeOffset Old = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recent = new(2027, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly FixedClock Now = new(new DateTimeOffset(2027, 6, 25, 0, 0, 0, TimeSpan.Zero));
    private static readonly TimeSpan Window = TimeSpan.FromDays(180);

    private readonly TempDir _dir = new("sentinel-retention");

    private string Lake => _dir.Sub("lake");

    /// <summary>Half the corpus uploaded in November, half in June; aggregated.</summary>
    private async Task<Dictionary<string, byte[]>> BuildAsync(string lake)
    {
        var bundles = Corpus.Bundles.ToList();
        await AggregatedCorpusFixture.IngestAsync(lake, bundles.Take(bundles.Count / 2), new FixedClock(Old));
        await AggregatedCorpusFixture.IngestAsync(lake, bundles.Skip(bundles.Count / 2), new FixedClock(Recent));
        AggregateLake(lake);
        return SummaryTables(lake);
    }

    private static Dictionary<string, List<string>> OnlyRecent(Dictionary<string, List<string>> rows) => new(StringComparer.Ordinal)
    {
        ["events"] = [.. rows["events"].Where(r => r.Contains("2027-06-01 12:00:00", StringComparison.Ordinal))],
        ["performance"] = [.. rows["performance"].Where(r => r.Contains("2027-06-01 12:00:00", StringComparison.Ordinal))],
        ["catalog"] = rows["catalog"],
        ["bundles"] = rows["bundles"],
    };

    [Fact]
    public async Task Retention_drops_the_old_raw_rows_and_every_summary_survives_incremental_full_and_compaction()
    {
        var summaries = await BuildAsync(Lake);
        var before = VisibleRows(Lake);
        var expected = OnlyRecent(before);
        Assert.True(expected["events"].Count < before["events"].Count && expected["events"].Count > 0);
        Assert.True(expected["performance"].Count < before["performance"].Count);

        var seen = new List<string>();
        var result = LakeMaintenance.Retention(TestLake.At(Lake, Now), Window, dryRun: false, beforeStep: name =>
        {
            seen.Add(name);
            if (seen.Count % 4 != 1 && name != "state/rewrites.json" && seen[^2] != "state/rewrites.json")
            {
                return; // every fourth step and the publishing rename: each check reads the whole lake
            }

            var now = VisibleRows(Lake);
            Assert.True(Same(now, before) || Same(now, expected), $"a reader saw a mix before {name}");
        });

        Assert.Equal(Now.GetUtcNow() - Window, result.Cutoff);
        Assert.Equal(before["events"].Count - expected["events"].Count, result.EventsRetired);
        Assert.Equal(before["performance"].Count - expected["performance"].Count, result.PerformanceRowsRetired);
        AssertSameRows(expected, VisibleRows(Lake), "after retention");
        AssertQuiescent(Lake);
        Assert.True(File.Exists(Path.Combine(Lake, "state", "retired.duckdb")));

        // The summaries count the retired rows: after the rebuild the rewrite forces, after --full, after compaction.
        var rebuilt = AggregateLake(Lake);
        Assert.Contains("rewritten", rebuilt.RebuildReason, StringComparison.Ordinal);
        AssertSameSummaries(summaries, SummaryTables(Lake), "aggregate after retention");
        AggregateLake(Lake, full: true);
        AssertSameSummaries(summaries, SummaryTables(Lake), "aggregate --full after retention");
        LakeMaintenance.Compact(TestLake.At(Lake), dryRun: false);
        AggregateLake(Lake);
        AssertSameSummaries(summaries, SummaryTables(Lake), "aggregate after retention and compaction");

        // A re-run has nothing to do.
        var generation = LakeGeneration.Read(new LakePaths(Lake));
        var again = LakeMaintenance.Retention(TestLake.At(Lake, Now), Window, dryRun: false);
        Assert.Equal((0L, 0L, (string?)null), (again.EventsRetired, again.PerformanceRowsRetired, again.RewriteId));
        Assert.Equal(generation, LakeGeneration.Read(new LakePaths(Lake)));
    }

    [Fact]
    public async Task A_second_retention_adds_to_the_retired_partials_instead_of_replacing_them()
    {
        var summaries = await BuildAsync(Lake);
        LakeMaintenance.Retention(TestLake.At(Lake, Now), Window, dryRun: false);

        // A year later everything is past the window.
        LakeMaintenance.Retention(TestLake.At(Lake, new FixedClock(Now.GetUtcNow().AddYears(1))), Window, dryRun: false);
        var rows = VisibleRows(Lake);
        Assert.Empty(rows["events"]);
        Assert.Empty(rows["performance"]);
        Assert.NotEmpty(rows["bundles"]);

        AggregateLake(Lake, full: true);
        AssertSameSummaries(summaries, SummaryTables(Lake), "every raw row retired");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_crash_at_any_step_never_counts_a_row_twice_or_loses_it()
    {
        var template = _dir.Sub("template");
        var summaries = await BuildAsync(template);
        var before = VisibleRows(template);
        var expected = OnlyRecent(before);

        var steps = new List<string>();
        var probe = _dir.Sub("probe");
        CopyDirectory(template, probe);
        LakeMaintenance.Retention(TestLake.At(probe, Now), Window, dryRun: false, steps.Add);
        Assert.Contains("state/retired.duckdb", steps);

        foreach (var crashAt in CrashPoints(steps))
        {
            var lake = _dir.Sub($"crash-{crashAt}");
            CopyDirectory(template, lake);
            var seen = 0;
            Assert.Throws<SimulatedCrash>(() => LakeMaintenance.Retention(TestLake.At(lake, Now), Window, dryRun: false, step =>
            {
                if (seen++ == crashAt)
                {
                    throw new SimulatedCrash(step);
                }
            }));

            var crashed = VisibleRows(lake);
            Assert.True(Same(crashed, before) || Same(crashed, expected), $"crash before {steps[crashAt]}: a reader sees a mix");

            // Whatever the crash left, the next retention completes the job, and the summaries count each row once.
            LakeMaintenance.Retention(TestLake.At(lake, Now), Window, dryRun: false);
            AssertSameRows(expected, VisibleRows(lake), $"re-run after a crash before {steps[crashAt]}");
            AssertQuiescent(lake);
            AggregateLake(lake);
            AssertSameSummaries(summaries, SummaryTables(lake), $"summaries after a crash before {steps[crashAt]}");
        }
    }

    [Fact]
    public async Task A_dry_run_counts_and_changes_nothing()
    {
        await BuildAsync(Lake);
        var before = VisibleRows(Lake);
        var plan = LakeMaintenance.Retention(TestLake.At(Lake, Now), Window, dryRun: true);
        Assert.Equal(before["events"].Count - OnlyRecent(before)["events"].Count, plan.Tables.Single(t => t.Table == "events").RowsRemoved);
        Assert.Null(plan.RewriteId);
        AssertSameRows(before, VisibleRows(Lake), "dry run");
        Assert.False(File.Exists(Path.Combine(Lake, "state", "retired.duckdb")));
    }

    [Theory]
    [InlineData("180d", 180 * 24)]
    [InlineData("26w", 26 * 7 * 24)]
    [InlineData("36h", 36)]
    public void Windows_parse(string text, int hours)
    {
        Assert.True(LakeMaintenance.TryParseWindow(text, out var window));
        Assert.Equal(TimeSpan.FromHours(hours), window);
    }

    [Theory]
    [InlineData("")]
    [InlineData("180")]
    [InlineData("0d")]
    [InlineData("-3d")]
    [InlineData("1.5d")]
    [InlineData("10y")]
    public void Bad_windows_are_refused_on_the_command_line(string text)
    {
        Assert.False(LakeMaintenance.TryParseWindow(text, out _));
        Directory.CreateDirectory(Lake);
        var r = SentinelRunner.Cli(null, "--lake", Lake, "retention", "--older-than", text);
        Assert.Equal(1, r.ExitCode);
    }

    public void Dispose() => _dir.Dispose();
}
