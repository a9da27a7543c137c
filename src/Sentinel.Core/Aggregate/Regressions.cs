using System.Globalization;
using System.Text.Json.Serialization;
using Sentinel.Config;

namespace Sentinel.Aggregate;

/// <summary>Runs of one library version (input of the regression tests).</summary>
internal sealed record VersionRuns(string Library, string Version, long Runs);

/// <summary>Runs of one library version in which a problem showed up.</summary>
internal sealed record ProblemVersionRuns(string Library, string Code, string TraceHash, string Version, long Runs, int LevelRank);

/// <summary>The per-run p95 values (ms) of one function in one library version.</summary>
internal sealed record PerformanceSample(string Library, string Function, string Version, IReadOnlyList<double> P95Values, double? MedianP95);

/// <summary>What a regression finding is about.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegressionKind>))]
public enum RegressionKind
{
    /// <summary>A problem first seen in a version, absent from the earlier ones.</summary>
    [JsonStringEnumMemberName("new_in_version")]
    NewInVersion,

    /// <summary>A problem no longer seen from a version on.</summary>
    [JsonStringEnumMemberName("fixed_in_version")]
    FixedInVersion,

    /// <summary>A function's per-run p95 slower than in the previous version.</summary>
    [JsonStringEnumMemberName("performance")]
    Performance,
}

/// <summary>How strong a finding's evidence is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegressionStatus>))]
public enum RegressionStatus
{
    /// <summary>The test passed with enough runs.</summary>
    [JsonStringEnumMemberName("confirmed")]
    Confirmed,

    /// <summary>The pattern is there, the evidence is not (the finding's reason says why).</summary>
    [JsonStringEnumMemberName("suspected")]
    Suspected,
}

/// <summary>One finding with its evidence (<see cref="Reason"/> in words).</summary>
public sealed record Regression(
    string Library, RegressionKind Kind, RegressionStatus Status, string Version, string? FromVersion,
    string? Code, string? TraceHash, string? Function, string? Level,
    double? Ratio, double? PValue, long RunsBefore, long RunsAfter,
    double? BeforeValue, double? AfterValue, double? Expected, long? Observed, string Reason);

/// <summary>
/// The regression tests of DESIGN §5, on summaries only:
/// <list type="bullet">
/// <item><b>new in V</b>: a problem first seen in V. Confirmed when, at the rate it shows in V, the
/// runs of the earlier versions would have shown it (Poisson: P(0 | rate·earlier runs) &lt; alpha).</item>
/// <item><b>fixed in V</b>: absent from V and every later version although the rate it had predicts
/// it would show (Poisson, same test); reported only when at least one occurrence was expected.</item>
/// <item><b>performance</b>: the median per-run p95 of a function between consecutive versions (that
/// have timing data) grows by ≥ <c>p95_ratio</c>; confirmed when both sides have
/// <c>min_runs_per_side</c> runs and a one-sided Mann-Whitney U test gives p ≤ <c>alpha</c>.</item>
/// </list>
/// </summary>
internal static class RegressionDetector
{
    public static IReadOnlyList<Regression> Detect(
        IReadOnlyList<VersionRuns> versions,
        IReadOnlyList<ProblemVersionRuns> problems,
        IReadOnlyList<PerformanceSample> performance,
        RegressionConfig config)
    {
        var found = new List<Regression>();
        var orderByLibrary = versions
            .Where(v => v.Runs > 0)
            .GroupBy(v => v.Library, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(v => v.Version, Pep440Comparer.Instance).ToList(), StringComparer.Ordinal);

        foreach (var problem in problems.GroupBy(p => (p.Library, p.Code, p.TraceHash)))
        {
            if (orderByLibrary.TryGetValue(problem.Key.Library, out var order))
            {
                found.AddRange(ProblemFindings(problem.Key.Library, problem.Key.Code, problem.Key.TraceHash, problem.ToList(), order, config));
            }
        }

        foreach (var function in performance.GroupBy(p => (p.Library, p.Function)))
        {
            found.AddRange(PerformanceFindings(function.ToList(), config));
        }

        return found;
    }

    private static IEnumerable<Regression> ProblemFindings(
        string library, string code, string traceHash, List<ProblemVersionRuns> seen, List<VersionRuns> order, RegressionConfig config)
    {
        // "unknown" is not a point in the release history: it can neither introduce nor fix anything.
        var ordered = order.Where(v => v.Version != Pep440Comparer.Unknown).ToList();
        var byVersion = seen.Where(s => s.Version != Pep440Comparer.Unknown).ToDictionary(s => s.Version, StringComparer.Ordinal);
        var present = ordered.Select((v, i) => (v, i)).Where(x => byVersion.ContainsKey(x.v.Version)).ToList();
        if (present.Count == 0)
        {
            yield break;
        }

        var level = LevelName(seen.Max(s => s.LevelRank));
        var (first, firstIndex) = present[0];
        if (firstIndex > 0)
        {
            var earlierRuns = ordered.Take(firstIndex).Sum(v => v.Runs);
            var affected = byVersion[first.Version].Runs;
            var expected = (double)affected / first.Runs * earlierRuns;
            var p = RegressionStatistics.PoissonProbabilityOfAtMost(0, expected);
            var confirmed = p < config.Alpha && earlierRuns >= config.MinRunsPerSide;
            var reason = confirmed
                ? Invariant($"first seen in {first.Version} ({affected} of {first.Runs} runs); absent from {earlierRuns} earlier runs where {expected:0.##} were expected ({Sentinel.Text.PValueText.Of(p)})")
                : earlierRuns < config.MinRunsPerSide
                    ? Invariant($"first seen in {first.Version}, but only {earlierRuns} earlier run(s) (< {config.MinRunsPerSide}) to be absent from")
                    : Invariant($"first seen in {first.Version}, but at its rate ({affected} of {first.Runs} runs) absence from {earlierRuns} earlier runs is not significant ({Sentinel.Text.PValueText.Of(p)} ≥ {config.Alpha})");
            yield return new Regression(library, RegressionKind.NewInVersion, confirmed ? RegressionStatus.Confirmed : RegressionStatus.Suspected, first.Version,
                ordered[firstIndex - 1].Version, code, traceHash, null, level, null, Finite(Round(p)), earlierRuns, first.Runs,
                null, null, Finite(Round(expected)), 0, reason);
        }

        var (last, lastIndex) = present[^1];
        if (lastIndex < ordered.Count - 1)
        {
            var span = ordered.Skip(firstIndex).Take(lastIndex - firstIndex + 1).ToList();
            var spanRuns = span.Sum(v => v.Runs);
            var affected = span.Sum(v => byVersion.TryGetValue(v.Version, out var s) ? s.Runs : 0);
            var laterRuns = ordered.Skip(lastIndex + 1).Sum(v => v.Runs);
            var expected = (double)affected / spanRuns * laterRuns;
            if (expected >= 1.0)
            {
                var p = RegressionStatistics.PoissonProbabilityOfAtMost(0, expected);
                var confirmed = p < config.Alpha && laterRuns >= config.MinRunsPerSide;
                var fixedIn = ordered[lastIndex + 1].Version;
                var reason = confirmed
                    ? Invariant($"last seen in {last.Version}; absent from {laterRuns} runs since although {expected:0.##} were expected at its earlier rate ({affected} of {spanRuns} runs; {Sentinel.Text.PValueText.Of(p)})")
                    : laterRuns < config.MinRunsPerSide
                        ? Invariant($"absent since {fixedIn}, but only {laterRuns} later run(s) (< {config.MinRunsPerSide})")
                        : Invariant($"absent since {fixedIn}, but {expected:0.##} expected occurrences make the absence not significant ({Sentinel.Text.PValueText.Of(p)} ≥ {config.Alpha})");
                yield return new Regression(library, RegressionKind.FixedInVersion, confirmed ? RegressionStatus.Confirmed : RegressionStatus.Suspected, fixedIn,
                    last.Version, code, traceHash, null, level, null, Finite(Round(p)), spanRuns, laterRuns,
                    null, null, Finite(Round(expected)), 0, reason);
            }
        }
    }

    private static IEnumerable<Regression> PerformanceFindings(List<PerformanceSample> samples, RegressionConfig config)
    {
        var ordered = samples
            .Where(s => s.Version != Pep440Comparer.Unknown && s.P95Values.Count > 0 && s.MedianP95 is > 0)
            .OrderBy(s => s.Version, Pep440Comparer.Instance)
            .ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var (before, after) = (ordered[i - 1], ordered[i]);
            var ratio = after.MedianP95!.Value / before.MedianP95!.Value;
            if (!double.IsFinite(ratio) || !double.IsFinite(before.MedianP95.Value) || !double.IsFinite(after.MedianP95.Value))
            {
                // 1e300 / 1e-300: a ratio (or median) that overflows is no evidence either way, and published
                // as Infinity it would make the summaries unreadable JSON. Shown as a suspicion without numbers.
                yield return new Regression(after.Library, RegressionKind.Performance, RegressionStatus.Suspected, after.Version,
                    before.Version, null, null, after.Function, null, null, null,
                    before.P95Values.Count, after.P95Values.Count, Finite(before.MedianP95), Finite(after.MedianP95), null, null,
                    Invariant($"median p95 {before.MedianP95:G4} → {after.MedianP95:G4} ms: the ratio is not a finite number (timings out of the range of a double), so it is not tested"));
                continue;
            }

            if (ratio < config.P95Ratio)
            {
                continue;
            }

            var test = RegressionStatistics.MannWhitneyGreater(before.P95Values, after.P95Values);
            var enoughRuns = before.P95Values.Count >= config.MinRunsPerSide && after.P95Values.Count >= config.MinRunsPerSide;
            var confirmed = enoughRuns && test.PValue <= config.Alpha;
            var reason = confirmed
                ? Invariant($"median p95 {before.MedianP95:0.###} → {after.MedianP95:0.###} ms (×{ratio:0.##}); Mann-Whitney U={test.U:0.#}, {Sentinel.Text.PValueText.Of(test.PValue)} over {before.P95Values.Count} and {after.P95Values.Count} runs")
                : !enoughRuns
                    ? Invariant($"median p95 ×{ratio:0.##}, but only {before.P95Values.Count} run(s) before and {after.P95Values.Count} after (need {config.MinRunsPerSide} per side)")
                    : Invariant($"median p95 ×{ratio:0.##}, but Mann-Whitney {Sentinel.Text.PValueText.Of(test.PValue)} > alpha {config.Alpha}");
            yield return new Regression(after.Library, RegressionKind.Performance, confirmed ? RegressionStatus.Confirmed : RegressionStatus.Suspected, after.Version,
                before.Version, null, null, after.Function, null, Finite(Round(ratio)), Finite(Round(test.PValue)),
                before.P95Values.Count, after.P95Values.Count, before.MedianP95, after.MedianP95, null, null, reason);
        }
    }

    internal static string LevelName(int rank) => rank switch { >= 5 => "CRITICAL", 4 => "ERROR", 3 => "WARNING", 2 => "INFO", _ => "DEBUG" };

    private static double Round(double value) => Math.Round(value, 6);

    // Statistics are total: a value that is not a finite number is published as null, never as NaN or Infinity.
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
