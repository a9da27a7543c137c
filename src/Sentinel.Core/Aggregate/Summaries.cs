using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Storage;

namespace Sentinel.Aggregate;

// The published summaries (docs/aggregate.md): one record per row of summary/<table>.json, snake_case.
// The dashboard, triage and `sentinel report` read these; nothing downstream reads the raw lake.

/// <summary>summary/meta.json: what the summaries were computed from.</summary>
public sealed record SummaryMeta(
    int SchemaVersion, int LakeSchemaVersion, string LakeGeneration, int Ingests, string IngestSetHash,
    long Bundles, long Runs, long Events, DateTimeOffset? NewestUpload, IReadOnlyList<string> Tables)
{
    public const int CurrentSchemaVersion = 2; // 2: summary/activity, problems' spread
}

public sealed record LibrarySummary(
    string Library, IReadOnlyList<string> Versions, string LatestVersion, HealthState LatestStatus,
    long Bundles, long Runs, long Events, long ErrorFreeRuns, double? ErrorFreeRate,
    DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, DateTimeOffset? LastReceived,
    long Problems, long ConfirmedRegressions, long SuspectedRegressions);

public sealed record VersionSummary(
    string Library, string Version, int VersionRank, bool PreRelease,
    long Bundles, long Runs, long Events, long Debug, long Info, long Warning, long Error, long Critical,
    long ErrorFreeRuns, double ErrorFreeRate, double WarningsPerRun,
    DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, DateTimeOffset? LastReceived,
    HealthState Status, string StatusReason,
    long CrashFreeRuns, double CrashFreeRate);

public sealed record DailyCount(DateOnly Day, long Events, long Runs);

/// <summary>
/// One problem: a library × code (uncoded: exception type × source function). <see cref="TraceHash"/> is its
/// representative variant, <see cref="Variants"/> every trace hash it groups, <see cref="ProblemKey"/> the stable
/// key pages, triage and issue markers use.
/// </summary>
public sealed record ProblemSummary(
    string Library, string? Code, string TraceHash, string ProblemKey, IReadOnlyList<string> Variants, string? Source, string Level, string? ExceptionType, string? Category, string? Title, string? TitleSource, long TitleRuns, bool TitleMajority,
    long Events, long RunsAffected, double RunsAffectedShare,
    IReadOnlyList<string> Versions, string FirstVersion, string LastVersion,
    IReadOnlyList<string> Platforms, IReadOnlyList<string> PythonVersions,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyList<DailyCount> Daily,
    string? NewInVersion, string? NewInStatus, string? FixedInVersion, string? FixedInStatus,
    long? NewInRunsAffected, long? NewInVersionRuns, double? NewInRunsShare,
    IReadOnlyList<ProblemSpread> Spread);

/// <summary>
/// Where a problem happens: of the library's <see cref="OfRuns"/> runs with this <see cref="Value"/> of a
/// <see cref="Dimension"/> ("version", "python_version", "platform"), <see cref="Runs"/> had the problem.
/// </summary>
public sealed record ProblemSpread(string Dimension, string Value, long Runs, long OfRuns, double Share);

public sealed record PerformanceSummary(
    string Library, string Function, string Version, int VersionRank,
    long Runs, long QualifiedRuns, long? Calls,
    double? P50MedianMs, double? P95MedianMs, double? P95P25Ms, double? P95P75Ms, double? P95MinMs, double? P95MaxMs,
    IReadOnlyList<double> P95ValuesMs);

public sealed record TrendPoint(string Library, DateOnly Day, string Level, long Events, long Runs);

public sealed record EnvironmentShare(string Library, string Version, int VersionRank, string Dimension, string Value, long Runs, double Share,
    long ErrorFreeRuns, double ErrorFreeRate);

/// <summary>
/// A row of summary/activity.json: a library × version's runs and events in one period (<see cref="Grain"/> "day",
/// "week" from Monday, or "month"; <see cref="Period"/> is its first day). Runs are distinct within the period.
/// A null <see cref="Version"/> (rank -1) is the library's total over all versions, runs distinct across them.
/// </summary>
public sealed record ActivityPoint(string Library, string? Version, int VersionRank, string Grain, DateOnly Period,
    long Runs, long ErrorRuns, long Events, long Warnings, long Errors);

/// <summary>A row of summary/regressions.json (the C# <see cref="Regression"/> as published).</summary>
public sealed record RegressionSummary(
    string Library, RegressionKind Kind, RegressionStatus Status, string Version, string? FromVersion,
    string? Code, string? TraceHash, string? Function, string? Level,
    double? Ratio, double? PValue, long RunsBefore, long RunsAfter,
    double? BeforeValue, double? AfterValue, double? Expected, long? Observed, string Reason);

/// <summary>All summaries of a lake, read back from summary/*.json.</summary>
public sealed record Summaries(
    SummaryMeta Meta,
    IReadOnlyList<LibrarySummary> Libraries,
    IReadOnlyList<VersionSummary> Versions,
    IReadOnlyList<ProblemSummary> Problems,
    IReadOnlyList<PerformanceSummary> Performance,
    IReadOnlyList<TrendPoint> Trends,
    IReadOnlyList<EnvironmentShare> Environments,
    IReadOnlyList<RegressionSummary> Regressions,
    IReadOnlyList<ActivityPoint> Activity)
{
    /// <summary>The summaries of the libraries <paramref name="keep"/> accepts (the public site: registered libraries only).</summary>
    public Summaries Only(Func<string, bool> keep) => this with
    {
        Libraries = [.. Libraries.Where(x => keep(x.Library))],
        Versions = [.. Versions.Where(x => keep(x.Library))],
        Problems = [.. Problems.Where(x => keep(x.Library))],
        Performance = [.. Performance.Where(x => keep(x.Library))],
        Trends = [.. Trends.Where(x => keep(x.Library))],
        Environments = [.. Environments.Where(x => keep(x.Library))],
        Regressions = [.. Regressions.Where(x => keep(x.Library))],
        Activity = [.. Activity.Where(x => keep(x.Library))],
    };

    /// <exception cref="SummariesMissingException">No aggregate has run on this lake.</exception>
    public static Summaries Load(Lake lake)
    {
        var dir = Path.Combine(lake.Root, Aggregator.SummaryFolder);
        var metaFile = Path.Combine(dir, "meta.json");
        if (!File.Exists(metaFile))
        {
            throw new SummariesMissingException($"{dir}: no summaries yet; run `sentinel aggregate` first");
        }

        T Read<T>(string name)
        {
            var file = Path.Combine(dir, name);
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize<T>(stream, SummaryJson.Options)
                   ?? throw new InvalidDataException($"{file}: empty summary");
        }

        var meta = Read<SummaryMeta>("meta.json");
        if (meta.SchemaVersion != SummaryMeta.CurrentSchemaVersion)
        {
            throw new SummariesMissingException($"{dir}: summaries of schema {meta.SchemaVersion}, this sentinel reads {SummaryMeta.CurrentSchemaVersion}; run `sentinel aggregate --full`");
        }

        return new Summaries(meta,
            Read<List<LibrarySummary>>("libraries.json"),
            Read<List<VersionSummary>>("versions.json"),
            Read<List<ProblemSummary>>("problems.json"),
            Read<List<PerformanceSummary>>("performance.json"),
            Read<List<TrendPoint>>("trends.json"),
            Read<List<EnvironmentShare>>("environments.json"),
            Read<List<RegressionSummary>>("regressions.json"),
            Read<List<ActivityPoint>>("activity.json"));
    }
}

/// <summary>There are no (readable) summaries: `sentinel aggregate` has to run first.</summary>
public sealed class SummariesMissingException : Exception
{
    public SummariesMissingException(string message) : base(message) { }
    public SummariesMissingException() { }
    public SummariesMissingException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>JSON settings of the summary files: snake_case, stable, human-readable.</summary>
internal static class SummaryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
