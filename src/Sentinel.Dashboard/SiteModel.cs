using Sentinel.Aggregate;

namespace Sentinel.Dashboard;

// The numbers behind every page, after the audience's privacy threshold (docs/dashboard.md). Each page
// model is also written as data/<page>.json for machines and agents, snake_case.

/// <summary>What the site was built from, and for whom.</summary>
public sealed record SiteInfo(
    string Audience, int MinRunsPublic, long Bundles, long Runs, long Events, int Ingests,
    DateTimeOffset? NewestUpload, string? GeneratedAt, long LibrariesHidden);

public sealed record DayCount(DateOnly Day, long Events);

/// <summary>A version's health as the home page compares it: error-free and crash-free (no CRITICAL) runs.</summary>
public sealed record VersionHealthFigures(string Version, long Runs, long ErrorFreeRuns, double ErrorFreeRate, long CrashFreeRuns, double CrashFreeRate);

/// <summary>
/// One library on the home page's attention queue. <see cref="Shown"/> is the newest version with enough runs,
/// <see cref="Previous"/> the one before it (for the deltas); the counts are about <see cref="Shown"/>.
/// </summary>
public sealed record LibraryCard(
    string Library, string Href, string LatestVersion, HealthState Status, string StatusReason, double? ErrorFreeRate,
    long Runs, long Bundles, long Events, long Problems, long ConfirmedRegressions, DateTimeOffset? LastReceived,
    IReadOnlyList<DayCount> Trend,
    int AttentionRank, string Attention, VersionHealthFigures? Shown, VersionHealthFigures? Previous,
    long NewProblems, long PerformanceRegressions, long Fixed, long Instrumentation)
{
    /// <summary>
    /// The grain of <see cref="Trend"/>: "day" (maintainers), or in the public view the finest of day, week, month at
    /// which every period has k runs (then <see cref="Trend"/> holds period starts).
    /// </summary>
    public string TrendGrain { get; init; } = "day";
}

/// <summary>The home page: libraries in attention order, and the one date range every sparkline shares.</summary>
public sealed record HomePage(SiteInfo Site, IReadOnlyList<LibraryCard> Libraries, DateOnly? TrendFrom = null, DateOnly? TrendTo = null);

public sealed record VersionRow(
    string Version, bool PreRelease, HealthState Status, string StatusReason, long Runs, long Bundles, long Events,
    long Errors, long Warnings, double ErrorFreeRate, double WarningsPerRun, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen,
    long ErrorFreeRuns, double ErrorFreeLow, double ErrorFreeHigh, long CrashFreeRuns, double CrashFreeRate);

/// <summary>Versions folded together because each had fewer runs than the public threshold.</summary>
public sealed record FoldedVersions(IReadOnlyList<string> Versions, long Runs, long Events, long Errors, double? ErrorFreeRate, bool Shown);

public sealed record TrendRow(DateOnly Day, string Level, long Events);

/// <summary>
/// Where a problem stands outside the numbers: its triage proposal's status (pending, approved, rejected, stale) and
/// the GitHub issue filed for it (number, https URL, open/closed), from the lake's triage and issue state.
/// </summary>
public sealed record ProblemTracking(string? Triage, int? IssueNumber, string? IssueUrl, string? IssueState);

public sealed record ProblemRow(
    string Id, string Href, string? Code, string TraceHash, string Level, string? ExceptionType, string? Title,
    long Events, long RunsAffected, double RunsAffectedShare, IReadOnlyList<string> Versions,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    string? NewInVersion, string? NewInStatus, string? FixedInVersion, string? FixedInStatus,
    IReadOnlyList<string> Variants, string? Source)
{
    /// <summary>Events per day behind the row's sparkline (days backed by k runs in the public view).</summary>
    public IReadOnlyList<DayCount> Daily { get; init; } = [];

    /// <summary>Triage status and filed issue, when there is either.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ProblemTracking? Tracking { get; init; }
}

/// <summary>Every problem of a library the audience may see (the library page lists the top ones), newest pages first.</summary>
public sealed record ProblemList(SiteInfo Site, string Library, IReadOnlyList<ProblemRow> Problems, int Total, long Hidden, DateOnly? From, DateOnly? To);

public sealed record PerformanceRow(
    string Function, string Version, long Runs, long QualifiedRuns, double? P50MedianMs, double? P95MedianMs,
    double? P95P25Ms, double? P95P75Ms);

public sealed record RegressionRow(
    RegressionKind Kind, RegressionStatus Status, string Version, string? FromVersion, string Subject, string? Level,
    double? Ratio, double? PValue, long RunsBefore, long RunsAfter, double? BeforeValue, double? AfterValue, string Reason,
    string KindLabel)
{
    /// <summary>The page of the problem a finding is about, when that page exists (relative to the site root).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Href { get; init; }
}

public sealed record EnvironmentRow(string Version, string Dimension, string Value, long Runs, double Share, long ErrorFreeRuns, double ErrorFreeRate);

/// <summary>What the threshold removed from a page, so the page can say so.</summary>
public sealed record Hidden(long Versions, long Problems, long TrendPoints, long PerformanceRows, long Regressions, long EnvironmentRows);

public sealed record LibraryPage(
    SiteInfo Site, string Library, string LatestVersion, HealthState Status, string StatusReason, double? ErrorFreeRate,
    long Runs, long Bundles, long Events,
    IReadOnlyList<VersionRow> Versions, FoldedVersions? OtherVersions,
    IReadOnlyList<TrendRow> Trends,
    IReadOnlyList<ProblemRow> TopErrors, IReadOnlyList<ProblemRow> TopWarnings,
    IReadOnlyList<PerformanceRow> Performance, IReadOnlyList<RegressionRow> Regressions,
    IReadOnlyList<EnvironmentRow> Environments, Hidden Hidden)
{
    /// <summary>The library's documentation (<c>libraries.&lt;name&gt;.docs</c>, an https URL), linked from its page.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Docs { get; init; }

    /// <summary>How many error and warning problems the library shows in all (the tables list the top ones: "25 of 49").</summary>
    public int ErrorProblems { get; init; }

    public int WarningProblems { get; init; }

    /// <summary>The page's time axis: adoption and per-run rates per period, version markers (null: no activity).</summary>
    public Timeline? Timeline { get; init; }

    /// <summary>The first and last day of <see cref="Trends"/>: the day range the page's sparklines and its problems' charts share.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public (DateOnly From, DateOnly To)? DayRange => Trends.Count > 0 ? (Trends.Min(t => t.Day), Trends.Max(t => t.Day)) : null;
}

/// <summary>The approved triage verdict of a problem (the approver's name only in the maintainers view).</summary>
public sealed record TriageNote(
    string ProposalId, string Source, string Kind, string Summary, string ProbableCause, string SuggestedFix,
    string Severity, double Impact, string Confidence, DateTimeOffset ApprovedAt, string? ApprovedBy, string? Note);

/// <summary>One share bar of a problem page: of the library's <see cref="OfRuns"/> runs with this value, <see cref="Runs"/> had the problem.</summary>
public sealed record SpreadRow(string Dimension, string Value, long Runs, long OfRuns, double Share);

public sealed record ProblemPage(
    SiteInfo Site, string Library, ProblemRow Problem, string? Category,
    IReadOnlyList<string> Platforms, IReadOnlyList<string> PythonVersions,
    IReadOnlyList<DayCount> Daily, long DaysHidden, TriageNote? Triage)
{
    /// <summary>Where the problem happens, by version, Python version and platform (public: rows backed by k runs).</summary>
    public IReadOnlyList<SpreadRow> Spread { get; init; } = [];

    public long SpreadHidden { get; init; }

    /// <summary>The day range of the library page's charts, so the problem's chart shares it.</summary>
    public DateOnly? From { get; init; }

    public DateOnly? To { get; init; }

    public IReadOnlyList<VersionMarker> Markers { get; init; } = [];
}
