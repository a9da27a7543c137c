using Sentinel.Aggregate;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

public sealed class IncrementalAggregateTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-incremental");

    private string Lake => _dir.Sub("lake");

    private Dictionary<string, byte[]> SummaryFiles() =>
        Directory.EnumerateFiles(Path.Combine(Lake, "summary"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);

    [Fact]
    public async Task Aggregating_after_each_of_three_ingests_equals_a_full_rebuild_file_for_file()
    {
        var bundles = Corpus.Bundles.ToList();
        var chunks = bundles.Chunk((bundles.Count + 2) / 3).ToList();
        var results = new List<AggregateResult>();
        foreach (var chunk in chunks)
        {
            await AggregatedCorpusFixture.IngestAsync(Lake, chunk);
            results.Add(Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false)));
        }

        Assert.Equal(["full", "incremental", "incremental"], results.Select(r => r.Mode));
        Assert.All(results.Skip(1), r => Assert.True(r.IngestsFolded < r.IngestsTotal));
        var incremental = SummaryFiles();

        var full = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: true));
        Assert.Equal(("full", "--full"), (full.Mode, full.RebuildReason));
        Assert.Equal(full.IngestsTotal, full.IngestsFolded);
        var rebuilt = SummaryFiles();

        Assert.Equal(rebuilt.Keys.Order(), incremental.Keys.Order());
        foreach (var (name, bytes) in rebuilt)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(incremental[name]), $"summary/{name} differs between incremental and --full");
        }

        // Each incremental run read only the rows of its own ingests.
        Assert.Equal(full.EventsFolded, results.Sum(r => r.EventsFolded));
        Assert.Equal(full.PerformanceRowsFolded, results.Sum(r => r.PerformanceRowsFolded));
    }

    [Fact]
    public async Task A_rerun_with_nothing_new_reads_nothing_and_changes_nothing()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles.Take(8));
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        var before = SummaryFiles();
        var again = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        Assert.Equal((0, 0L), (again.IngestsFolded, again.EventsFolded));
        Assert.All(SummaryFiles(), kv => Assert.True(kv.Value.AsSpan().SequenceEqual(before[kv.Key]), kv.Key));
    }

    [Fact]
    public async Task An_idle_rerun_rewrites_no_summary_file_until_settings_or_a_summary_file_change()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles.Take(8));
        var first = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        var summary = Path.Combine(Lake, Aggregator.SummaryFolder);
        var stamps = Directory.GetFiles(summary).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var old = DateTime.UtcNow.AddDays(-1);
        foreach (var f in stamps.Keys)
        {
            File.SetLastWriteTimeUtc(f, old); // any rewrite now shows as a fresh time
        }

        var idle = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        Assert.All(Directory.GetFiles(summary), f => Assert.Equal(old, File.GetLastWriteTimeUtc(f)));
        Assert.Equal(first with { Seconds = 0, Mode = "", IngestsFolded = 0, EventsFolded = 0, PerformanceRowsFolded = 0 }, idle with { Seconds = 0, Mode = "" });

        // Other settings: the statuses may differ, so the summaries are recomputed.
        var stricter = new Sentinel.Config.SentinelConfig();
        stricter.Health.DegradedBelowErrorFree = 0.999;
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), stricter, Full: false));
        Assert.All(Directory.GetFiles(summary), f => Assert.NotEqual(old, File.GetLastWriteTimeUtc(f)));

        // A summary file gone: recomputed, whatever the record says.
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), stricter, Full: false));
        File.Delete(Path.Combine(summary, "problems.json"));
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), stricter, Full: false));
        Assert.True(File.Exists(Path.Combine(summary, "problems.json")));
    }

    [Fact]
    public async Task A_failing_aggregate_closes_its_partials_database()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles.Take(2));
        // Retired partials this build cannot read: the aggregate fails while seeding a fresh partials database.
        File.WriteAllText(Path.Combine(Lake, "state", "retired.duckdb"), "not a duckdb file");

        Assert.ThrowsAny<Exception>(() => Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false)));

        // No file descriptor of this process still points at the partials database (the connection was disposed).
        var partials = Path.GetFullPath(Path.Combine(Lake, "state", "aggregate.duckdb"));
        var open = new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget; } catch (IOException) { return null; } })
            .Count(target => target is not null && target.StartsWith(partials, StringComparison.Ordinal));
        Assert.Equal(0, open);
    }

    [Fact]
    public async Task A_rewritten_lake_forces_a_rebuild()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles.Take(8));
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        LakeGeneration.Bump(new LakePaths(Lake));
        var after = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        Assert.Equal("full", after.Mode);
        Assert.Contains("rewritten", after.RebuildReason, StringComparison.Ordinal);
        Assert.Equal(after.IngestsTotal, after.IngestsFolded);
    }

    [Fact]
    public void Aggregating_a_missing_lake_is_a_clear_error()
    {
        var e = Assert.Throws<LakeMissingException>(() =>
            Aggregator.Run(new AggregateOptions(TestLake.At(_dir.Sub("nowhere")), AggregatedCorpusFixture.Config, Full: false)));
        Assert.Contains("sentinel ingest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_lake_aggregates_to_empty_summaries()
    {
        Directory.CreateDirectory(Lake);
        var r = Aggregator.Run(new AggregateOptions(TestLake.At(Lake), AggregatedCorpusFixture.Config, Full: false));
        Assert.Equal((0, 0), (r.IngestsTotal, r.Libraries));
        var s = Summaries.Load(TestLake.At(Lake));
        Assert.Empty(s.Libraries);
        Assert.Equal(0, s.Meta.Events);
    }

    public void Dispose() => _dir.Dispose();
}
