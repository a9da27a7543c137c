using Sentinel.Text;
using Sentinel.Aggregate;

namespace Sentinel.Triage;

/// <summary>
/// Problem signals from the summaries (never from the lake): one per problem worth a look (warnings and
/// above that are new in a version, fixed, or touch at least <see cref="MinImpact"/> of the library's
/// runs) and one per performance regression.
/// </summary>
public static class SignalBuilder
{
    /// <summary>Problems under this share of runs, neither new nor fixed, are not triaged.</summary>
    public const double MinImpact = 0.05;

    /// <summary>
    /// A platform or Python version takes part in a comparison (the compatibility rule, the LLM's context) only with
    /// at least this many runs of the library on it: one run from a second platform is no evidence that a problem
    /// is specific to the first.
    /// </summary>
    public const int MinRunsPerEnvironment = 3;

    public static IReadOnlyList<ProblemSignal> Build(Summaries s, string? library = null)
    {
        var signals = new List<ProblemSignal>();
        foreach (var lib in s.Libraries.Where(l => library is null || l.Library == library))
        {
            var envs = s.Environments.Where(e => e.Library == lib.Library).ToList();
            // Runs per value summed over versions: a run has one version per library, so these are distinct runs.
            List<string> Evidenced(string dimension) => [.. envs.Where(e => e.Dimension == dimension)
                .GroupBy(e => e.Value, StringComparer.Ordinal)
                .Where(g => g.Sum(e => e.Runs) >= MinRunsPerEnvironment)
                .Select(g => g.Key)
                .Order(StringComparer.Ordinal)];
            var platforms = Evidenced("platform");
            var pythons = Evidenced("python_version");

            // smonitor's own codes (SMONITOR-*) say how the library is wired to smonitor, not what is wrong with it: no
            // triage proposal, so never an issue filed against the library (docs/triage.md).
            foreach (var p in s.Problems.Where(p => p.Library == lib.Library && p.Level is "WARNING" or "ERROR" or "CRITICAL"
                                                    && !RegressionScope.IsInstrumentation(p.Code)))
            {
                if (p.NewInVersion is null && p.FixedInVersion is null && p.RunsAffectedShare < MinImpact)
                {
                    continue;
                }

                signals.Add(new ProblemSignal(
                    lib.Library, "problem", p.Code, p.TraceHash, null, p.Level, p.ExceptionType,
                    // The title goes into LLM prompts and (public) issue titles: only one most reporting runs agree on.
                    p.TitleSource == "catalog" || (p.TitleMajority && p.TitleRuns >= MinRunsPerEnvironment) ? p.Title : null,
                    p.Events, p.RunsAffected, lib.Runs, p.RunsAffectedShare, p.Versions, p.FirstVersion, p.LastVersion, lib.LatestVersion,
                    p.NewInVersion, p.NewInStatus, p.FixedInVersion, p.FixedInStatus,
                    p.Platforms, p.PythonVersions, platforms, pythons,
                    DateOnly.FromDateTime(p.FirstSeen.UtcDateTime), DateOnly.FromDateTime(p.LastSeen.UtcDateTime),
                    null, null, null, null, null, null, null, null, null,
                    p.ProblemKey, p.Variants, p.Code is null ? p.Source : null, p.NewInRunsAffected, p.NewInVersionRuns));
            }

            foreach (var r in s.Regressions.Where(r => r.Library == lib.Library && r.Kind == RegressionKind.Performance))
            {
                var perf = s.Performance.SingleOrDefault(x => x.Library == r.Library && x.Function == r.Function && x.Version == r.Version);
                signals.Add(new ProblemSignal(
                    lib.Library, "performance", null, null, r.Function, null, null, null,
                    0, perf?.QualifiedRuns ?? r.RunsAfter, lib.Runs, lib.Runs == 0 ? 0 : Math.Round((double)(perf?.Runs ?? r.RunsAfter) / lib.Runs, 4),
                    [r.FromVersion ?? r.Version, r.Version], r.FromVersion, r.Version, lib.LatestVersion,
                    null, null, null, null, [], [], platforms, pythons, null, null,
                    r.FromVersion, r.Version, r.Ratio, r.PValue, r.BeforeValue, r.AfterValue, r.RunsBefore, r.RunsAfter, r.Status.Name()));
            }
        }

        return signals;
    }

    /// <summary>The identity of what a signal is about: stays the same as its numbers change.</summary>
    public static string Key(ProblemSignal s) => s.Kind == "performance"
        ? $"{s.Library}|performance|{s.Function}|{s.PerfToVersion}"
        : $"{s.Library}|problem|{s.ProblemKey ?? s.Code + "|" + s.TraceHash}";

    /// <summary>
    /// What an approval was about. A change here (a new version introducing or fixing it, a new level, a
    /// confirmed finding turning up, impact moving by a tenth of the runs, a different slowdown) makes an
    /// approved or rejected proposal stale. Counts growing alone do not.
    /// </summary>
    public static string Material(ProblemSignal s) => string.Join("|",
        s.Kind, s.Level, s.NewInVersion, s.NewInStatus, s.FixedInVersion, s.FixedInStatus, s.LastVersion,
        Math.Round(s.ImpactShare, 1).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        s.PerfFromVersion, s.PerfToVersion, s.PerfStatus,
        s.PerfRatio is null ? "" : Math.Round(s.PerfRatio.Value, 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
