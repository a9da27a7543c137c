namespace Sentinel.Triage;

/// <summary>
/// Everything triage may know about a problem: aggregated, anonymized facts from the summaries only.
/// By construction it holds no raw event field: only codes, counts, versions, platforms, dates, the
/// catalog title (untrusted text, passed to a model as delimited data), the exception type and
/// performance deltas. A test pins this field list.
/// </summary>
public sealed record ProblemSignal(
    string Library,
    string Kind,                 // "problem" or "performance"
    string? Code,
    string? TraceHash,
    string? Function,
    string? Level,
    string? ExceptionType,
    string? CatalogTitle,
    long Events,
    long RunsAffected,
    long LibraryRuns,
    double ImpactShare,
    IReadOnlyList<string> Versions,
    string? FirstVersion,
    string? LastVersion,
    string? LatestLibraryVersion,
    string? NewInVersion,
    string? NewInStatus,
    string? FixedInVersion,
    string? FixedInStatus,
    IReadOnlyList<string> Platforms,
    IReadOnlyList<string> PythonVersions,
    IReadOnlyList<string> LibraryPlatforms,
    IReadOnlyList<string> LibraryPythonVersions,
    DateOnly? FirstSeen,
    DateOnly? LastSeen,
    string? PerfFromVersion,
    string? PerfToVersion,
    double? PerfRatio,
    double? PerfPValue,
    double? PerfBeforeMs,
    double? PerfAfterMs,
    long? PerfRunsBefore,
    long? PerfRunsAfter,
    string? PerfStatus,
    string? ProblemKey = null,                 // library-wide identity of a problem: its code (uncoded: exception@source)
    IReadOnlyList<string>? Variants = null,    // the trace hashes the problem groups
    string? SourceFunction = null,
    long? NewInRunsAffected = null,            // runs of NewInVersion the problem affected
    long? NewInVersionRuns = null);            // all runs of NewInVersion: a new problem's impact is measured over them            // an uncoded problem's source function (a library function name, as in the lake)

/// <summary>
/// A triage verdict. <see cref="Kind"/> (heuristic verdicts): <c>regression_introduced</c>,
/// <c>performance_regression</c>, <c>missing_dependency</c>, <c>compatibility</c>, <c>noisy_warning</c>,
/// <c>fixed</c>, <c>recurring_error</c>, <c>recurring_warning</c>. <see cref="Severity"/>: critical, high,
/// medium, low. <see cref="Impact"/>: the share of the library's runs affected (0–1).
/// <see cref="Confidence"/>: low, medium or high.
/// </summary>
public sealed record Verdict(
    string Source,               // "heuristic" or "llm"
    string Kind,
    string Summary,
    string ProbableCause,
    string SuggestedFix,
    string Severity,
    double Impact,
    string Confidence);

/// <summary>What an LLM call gave: a validated verdict, or why the heuristic one stands.</summary>
public sealed record LlmOutcome(Verdict? Verdict, string? FailureReason, bool FromCache, long? InputTokens, long? OutputTokens);
