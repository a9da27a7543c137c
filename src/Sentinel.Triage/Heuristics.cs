using System.Globalization;

namespace Sentinel.Triage;

/// <summary>
/// The deterministic triage that always runs (docs/triage.md, whose rule table a test holds to
/// <see cref="RuleKinds"/>). First matching rule wins: performance regression → confirmed fix → new in a
/// version → missing optional dependency → compatibility (one platform or Python version of several, each
/// with enough runs) → suspected fix → noisy warning → recurring error / warning.
/// Severity follows the level (CRITICAL critical, ERROR high, WARNING medium; a confirmed slowdown
/// medium, a suspected one low); impact is the share of the library's runs affected.
/// </summary>
public static class Heuristics
{
    // Whole tokens of a code (split on - _ . :), never substrings: "PERMISSION" is not "MISS", and "DEP"
    // alone is no marker (in MSM-WARN-DEP-001 it means deprecation).
    private static readonly HashSet<string> DependencyTokens = new(StringComparer.Ordinal) { "MISS", "MISSING", "DEPENDENCY", "DEPS", "IMPORT", "INSTALL" };

    private static readonly HashSet<string> DependencyExceptions = new(StringComparer.Ordinal)
    {
        "ImportError", "ModuleNotFoundError", "PackageNotFoundError", "ExecutableNotFoundError", "DependencyError", "MissingDependencyError",
    };

    /// <summary>The verdict kind of each rule, in the order they are tried (docs/triage.md's table, row by row).</summary>
    public static readonly IReadOnlyList<string> RuleKinds =
    [
        "performance_regression", "fixed", "regression_introduced", "missing_dependency", "compatibility", "compatibility", "fixed",
        "noisy_warning", "recurring_warning / recurring_error",
    ];

    internal static IReadOnlySet<string> DependencyCodeTokens => DependencyTokens;

    internal static IReadOnlySet<string> DependencyExceptionTypes => DependencyExceptions;

    public static Verdict Judge(ProblemSignal s)
    {
        var impact = s.ImpactShare;
        var who = Subject(s);
        if (s.Kind == "performance")
        {
            var confirmed = s.PerfStatus == "confirmed";
            // Only what is known is said: a finding without a ratio or medians says so instead of printing "× slower".
            var how = s.PerfRatio is { } ratio && s.PerfBeforeMs is { } before && s.PerfAfterMs is { } after
                ? Inv($"is ×{ratio:0.##} slower (median p95 {before:0.###} → {after:0.###} ms)")
                : "may be slower (too few timed runs for a ratio)";
            return new Verdict("heuristic", "performance_regression",
                Inv($"{s.Function} {how} from {s.PerfFromVersion} to {s.PerfToVersion} ({s.PerfStatus})"),
                Inv($"A change between {s.PerfFromVersion} and {s.PerfToVersion} in {s.Function} or what it calls."),
                Inv($"Profile {s.Function} on {s.PerfToVersion} against {s.PerfFromVersion} and bisect the commits between the two releases."),
                confirmed ? "medium" : "low", impact, confirmed ? "high" : "low");
        }

        // A confirmed fix is the most reliable news about a problem: it outranks what else the problem shows.
        if (s.FixedInVersion is not null && s.FixedInStatus == "confirmed")
        {
            return Fixed(s, who, impact);
        }

        var severity = s.Level switch { "CRITICAL" => "critical", "ERROR" => "high", _ => "medium" };
        if (s.NewInVersion is not null)
        {
            var confirmed = s.NewInStatus == "confirmed";
            // Measured over the new version's runs (both numbers shown): over all versions it would look smaller the
            // more old runs there are.
            var versionImpact = s.NewInVersionRuns is > 0 && s.NewInRunsAffected is { } affected ? (double)affected / s.NewInVersionRuns.Value : (double?)null;
            var where = versionImpact is { } share
                ? Inv($"affects {share:0.#%} of {s.NewInVersion} runs ({s.NewInRunsAffected} of {s.NewInVersionRuns}); {impact:0.#%} of all runs")
                : Inv($"affects {impact:0.#%} of all runs");
            impact = versionImpact ?? impact;
            return new Verdict("heuristic", "regression_introduced",
                Inv($"{who} first appears in {s.NewInVersion} and {where} ({s.NewInStatus})"),
                Inv($"A change released in {s.NewInVersion} introduced {who}."),
                Inv($"Diff {s.NewInVersion} against the version before it around the code that raises {who}; add a regression test."),
                severity, impact, confirmed ? "high" : "medium");
        }

        if (IsDependency(s))
        {
            return new Verdict("heuristic", "missing_dependency",
                Inv($"{who}: a dependency is missing or unsuitable in {impact:0.#%} of runs"),
                "An optional dependency is not installed, or its version does not fit.",
                "Document the optional dependency and its install command where the feature is described; make the error name the package and the fix.",
                s.Level == "CRITICAL" ? "high" : "medium", impact, "medium");
        }

        // The library's platforms/Python versions are those with enough runs (SignalBuilder.MinRunsPerEnvironment):
        // the one the problem shows on, and at least one other where it never did.
        if (s.LibraryPlatforms.Count > 1 && s.Platforms.Count == 1 && s.LibraryPlatforms.Contains(s.Platforms[0])
            && s.RunsAffected >= SignalBuilder.MinRunsPerEnvironment)
        {
            return Compatibility(s, who, severity, impact, "platform", s.Platforms[0]);
        }

        if (s.LibraryPythonVersions.Count > 1 && s.PythonVersions.Count == 1 && s.LibraryPythonVersions.Contains(s.PythonVersions[0])
            && s.RunsAffected >= SignalBuilder.MinRunsPerEnvironment)
        {
            return Compatibility(s, who, severity, impact, "Python", s.PythonVersions[0]);
        }

        if (s.FixedInVersion is not null && s.FixedInStatus != "confirmed")
        {
            return Fixed(s, who, impact);
        }

        if (s.Level == "WARNING" && s.RunsAffected > 0 && (double)s.Events / s.RunsAffected >= 5)
        {
            return new Verdict("heuristic", "noisy_warning",
                Inv($"{who} fires {(double)s.Events / s.RunsAffected:0.#} times per affected run in {impact:0.#%} of runs"),
                "A warning raised inside a loop or on every call.",
                "Coalesce it (warn once per run or per call site), or raise it only when the condition is actionable.",
                "low", impact, "medium");
        }

        return new Verdict("heuristic", s.Level == "WARNING" ? "recurring_warning" : "recurring_error",
            Inv($"{who} affects {impact:0.#%} of runs across {string.Join(", ", s.Versions)}"),
            Inv($"A long-standing {s.Level?.ToLowerInvariant()} present since {s.FirstVersion}."),
            "Check whether the condition is a user error with a clear message, or a defect to fix.",
            severity, impact, "low");
    }

    private static Verdict Fixed(ProblemSignal s, string who, double impact) =>
        new("heuristic", "fixed",
            Inv($"{who} has not been seen since {s.FixedInVersion} ({s.FixedInStatus})"),
            Inv($"Fixed in {s.FixedInVersion}, or the code path is no longer reached."),
            Inv($"Confirm the fix in {s.FixedInVersion}'s changelog; tell users of older versions to upgrade."),
            "low", impact, s.FixedInStatus == "confirmed" ? "high" : "low");

    private static Verdict Compatibility(ProblemSignal s, string who, string severity, double impact, string what, string only) =>
        new("heuristic", "compatibility",
            Inv($"{who} shows only on {what} {only}, in {impact:0.#%} of runs"),
            Inv($"Behaviour specific to {what} {only}."),
            Inv($"Reproduce on {what} {only} and add it to the test matrix."),
            severity, impact, "medium");

    private static bool IsDependency(ProblemSignal s)
    {
        var tokens = (s.Code ?? "").ToUpperInvariant().Split(['-', '_', '.', ':'], StringSplitOptions.RemoveEmptyEntries);
        return (s.ExceptionType is not null && DependencyExceptions.Contains(s.ExceptionType)) || tokens.Any(DependencyTokens.Contains);
    }

    /// <summary>How a signal names its subject: code, else exception type, else trace hash, else function.</summary>
    public static string Subject(ProblemSignal s) => s.Function ?? Sentinel.Aggregate.ProblemSubject.Of(s.Code, s.ExceptionType, s.SourceFunction, s.TraceHash ?? "");

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}
