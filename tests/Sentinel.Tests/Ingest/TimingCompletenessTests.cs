using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>A run exported twice (a mid-run snapshot, then the final export): the fullest timings win in either order.</summary>
public sealed class TimingCompletenessTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-timings");

    private async Task<(PerformanceSummary Summary, long Rows)> IngestInOrderAsync(string name, params int[] callsInArrivalOrder)
    {
        var lake = _dir.Sub(name);
        foreach (var calls in callsInArrivalOrder)
        {
            var folder = _dir.Sub($"{name}-{calls}");
            SyntheticBundle.Write(folder, "alpha", "1.0.0", run: 0, [new SyntheticEvent("WARNING", "ALPHA-W001", "00000000000000b1")],
                new Dictionary<string, (int, double)> { ["alpha.core.work"] = (calls, 10.0 * calls) });
            var result = await SentinelRunner.IngestAsync(lake, folder);
            Assert.Empty(result.Quarantined);
        }

        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: false));
        using var reader = new LakeReader(lake);
        return (Assert.Single(Summaries.Load(TestLake.At(lake)).Performance, p => p.Function == "alpha.core.work"),
            reader.Scalar<long>("SELECT count(*) FROM performance WHERE function = 'alpha.core.work'"));
    }

    [Fact]
    public async Task The_final_export_wins_whether_it_arrives_after_or_before_the_snapshot()
    {
        var snapshotFirst = await IngestInOrderAsync("snapshot-first", 5, 8);
        var finalFirst = await IngestInOrderAsync("final-first", 8, 5);

        Assert.Equal(8, snapshotFirst.Summary.Calls);
        Assert.Equal(snapshotFirst.Summary with { P95ValuesMs = [] }, finalFirst.Summary with { P95ValuesMs = [] });
        Assert.Equal(snapshotFirst.Summary.P95ValuesMs, finalFirst.Summary.P95ValuesMs);
        Assert.Equal(80.0, finalFirst.Summary.P95MedianMs);
        Assert.Equal(2, snapshotFirst.Rows); // the fuller export was added next to the snapshot
        Assert.Equal(1, finalFirst.Rows);    // the snapshot after the final export added nothing
    }

    [Fact]
    public async Task Within_one_ingest_only_the_fullest_export_of_a_run_is_stored()
    {
        var lake = _dir.Sub("one-ingest");
        var a = _dir.Sub("a");
        var b = _dir.Sub("b");
        SyntheticBundle.Write(a, "alpha", "1.0.0", run: 0, [], new Dictionary<string, (int, double)> { ["alpha.core.work"] = (5, 50.0) });
        SyntheticBundle.Write(b, "alpha", "1.0.0", run: 0, [], new Dictionary<string, (int, double)> { ["alpha.core.work"] = (8, 80.0) });

        await SentinelRunner.IngestAsync(lake, a, b);

        using var reader = new LakeReader(lake);
        Assert.Equal(8L, reader.Scalar<long>("SELECT max(\"count\") FROM performance WHERE function = 'alpha.core.work'"));
        Assert.Equal(1L, reader.Scalar<long>("SELECT count(*) FROM performance WHERE function = 'alpha.core.work'"));
    }

    public void Dispose() => _dir.Dispose();
}
