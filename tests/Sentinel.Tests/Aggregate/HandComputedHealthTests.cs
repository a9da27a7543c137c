using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

/// <summary>
/// A hand-made history whose every number is worked out by hand:
/// alpha 1.0.0: 5 runs, run 0 has one ERROR (ALPHA-E001); every run warns ALPHA-W001; solve p95 ≈ 10 ms.
/// alpha 1.1.0: 5 runs, no errors; ALPHA-W001 gone, ALPHA-W002 in every run; solve p95 ≈ 30 ms.
/// beta 2.0.0: 2 clean runs.
/// </summary>
public sealed class HandComputedHealthTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-hand");

    private string Lake => _dir.Sub("lake");

    private async Task<Summaries> BuildAsync(SentinelConfig? config = null)
    {
        var bundles = _dir.Sub("bundles");
        for (var run = 0; run < 5; run++)
        {
            var old = new List<SyntheticEvent> { new("WARNING", "ALPHA-W001", "00000000000000b1") };
            if (run == 0)
            {
                old.Add(new SyntheticEvent("ERROR", "ALPHA-E001", "00000000000000e1"));
            }

            SyntheticBundle.Write(bundles, "alpha", "1.0.0", run, old,
                new Dictionary<string, (int, double)> { ["alpha.core.solve"] = (10, 10.0 + run * 0.1) }, day: run);
            SyntheticBundle.Write(bundles, "alpha", "1.1.0", run, [new("WARNING", "ALPHA-W002", "00000000000000b2")],
                new Dictionary<string, (int, double)> { ["alpha.core.solve"] = (10, 30.0 + run * 0.1) }, day: 10 + run);
        }

        SyntheticBundle.Write(bundles, "beta", "2.0.0", 0, []);
        SyntheticBundle.Write(bundles, "beta", "2.0.0", 1, []);
        config ??= new SentinelConfig();
        var ingest = await Ingester.RunAsync(new IngestOptions([bundles], TestLake.At(Lake), config, VersionHints.None));
        Assert.Equal(12, ingest.Accepted);
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), config, Full: false));
        return Summaries.Load(TestLake.At(Lake));
    }

    [Fact]
    public async Task Error_free_rates_and_statuses_match_the_hand_computation()
    {
        var s = await BuildAsync();
        var v100 = s.Versions.Single(v => v is { Library: "alpha", Version: "1.0.0" });
        Assert.Equal((5L, 4L, 0.8), (v100.Runs, v100.ErrorFreeRuns, v100.ErrorFreeRate));
        Assert.Equal(HealthState.Failing, v100.Status); // 0.8 < failing_below_error_free 0.90
        Assert.Equal((5L, 1L), (v100.Warning, v100.Error));
        Assert.Equal(1.0, v100.WarningsPerRun);

        var v110 = s.Versions.Single(v => v is { Library: "alpha", Version: "1.1.0" });
        Assert.Equal((5L, 5L, 1.0), (v110.Runs, v110.ErrorFreeRuns, v110.ErrorFreeRate));
        Assert.Equal(HealthState.Degraded, v110.Status); // error-free, but a confirmed p95 regression
        Assert.Contains("alpha.core.solve p95 ×2.96", v110.StatusReason, StringComparison.Ordinal);

        var beta = s.Versions.Single(v => v.Library == "beta");
        Assert.Equal(HealthState.InsufficientData, beta.Status); // 2 runs < min_runs_for_status 3
        Assert.Equal(1.0, beta.ErrorFreeRate);

        var alpha = s.Libraries.Single(l => l.Library == "alpha");
        Assert.Equal(("1.1.0", HealthState.Degraded, 10L, 9L, 0.9), (alpha.LatestVersion, alpha.LatestStatus, alpha.Runs, alpha.ErrorFreeRuns, alpha.ErrorFreeRate));
        Assert.Equal(["1.0.0", "1.1.0"], alpha.Versions);
    }

    [Fact]
    public async Task Thresholds_come_from_the_config()
    {
        var config = new SentinelConfig();
        config.Health.FailingBelowErrorFree = 0.5;
        config.Health.MinRunsForStatus = 2;
        var s = await BuildAsync(config);
        Assert.Equal(HealthState.Degraded, s.Versions.Single(v => v is { Library: "alpha", Version: "1.0.0" }).Status); // 0.8 < 0.99
        Assert.Equal(HealthState.Healthy, s.Versions.Single(v => v.Library == "beta").Status); // 2 runs now enough, no errors
    }

    [Fact]
    public async Task A_clear_slowdown_with_enough_runs_is_a_confirmed_performance_regression()
    {
        var s = await BuildAsync();
        var r = s.Regressions.Single(x => x.Kind == RegressionKind.Performance);
        Assert.Equal((RegressionStatus.Confirmed, "alpha.core.solve", "1.0.0", "1.1.0"), (r.Status, r.Function, r.FromVersion, r.Version));
        Assert.Equal(10.2, r.BeforeValue!.Value, 6);   // median of 10.0 … 10.4
        Assert.Equal(30.2, r.AfterValue!.Value, 6);    // median of 30.0 … 30.4
        Assert.Equal(Math.Round(30.2 / 10.2, 6), r.Ratio);
        Assert.Equal(Math.Round(1.0 / 252, 6), r.PValue); // exact one-sided U test, 5 vs 5 fully separated
        Assert.Equal((5L, 5L), (r.RunsBefore, r.RunsAfter));
    }

    [Fact]
    public async Task New_and_fixed_codes_carry_their_poisson_evidence()
    {
        var s = await BuildAsync();
        var added = s.Regressions.Single(x => x is { Kind: RegressionKind.NewInVersion, Code: "ALPHA-W002" });
        Assert.Equal((RegressionStatus.Confirmed, "1.1.0", 5L, 5L), (added.Status, added.Version, added.RunsBefore, added.RunsAfter));
        Assert.Equal(5.0, added.Expected);                         // 5 of 5 runs × 5 earlier runs
        Assert.Equal(Math.Round(Math.Exp(-5), 6), added.PValue);   // P(0 | λ = 5)

        var fixedW = s.Regressions.Single(x => x is { Kind: RegressionKind.FixedInVersion, Code: "ALPHA-W001" });
        Assert.Equal((RegressionStatus.Confirmed, "1.1.0", "1.0.0"), (fixedW.Status, fixedW.Version, fixedW.FromVersion));
        Assert.Equal(Math.Round(Math.Exp(-5), 6), fixedW.PValue);

        // One error in 5 runs predicts one in the next 5: its absence proves nothing yet.
        var fixedE = s.Regressions.Single(x => x is { Kind: RegressionKind.FixedInVersion, Code: "ALPHA-E001" });
        Assert.Equal(RegressionStatus.Suspected, fixedE.Status);
        Assert.Equal(1.0, fixedE.Expected);
        Assert.Contains("not significant", fixedE.Reason, StringComparison.Ordinal);

        var problem = s.Problems.Single(p => p.Code == "ALPHA-W001");
        Assert.Equal(("1.1.0", "confirmed", 5L, 0.5), (problem.FixedInVersion, problem.FixedInStatus, problem.RunsAffected, problem.RunsAffectedShare));
        Assert.DoesNotContain(s.Regressions, x => x.Library == "beta");
    }

    public void Dispose() => _dir.Dispose();
}
