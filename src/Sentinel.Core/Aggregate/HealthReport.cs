using System.Globalization;
using System.Text;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Aggregate;

/// <summary>
/// What <c>sentinel report</c> shows: the summaries cut down to a health overview (libraries, their
/// versions, the top problems, the regressions), optionally for one library.
/// </summary>
public sealed record HealthReport(
    SummaryMeta Meta,
    bool Stale,
    string? Library,
    IReadOnlyList<LibrarySummary> Libraries,
    IReadOnlyList<VersionSummary> Versions,
    IReadOnlyList<ProblemSummary> TopProblems,
    IReadOnlyList<RegressionSummary> Regressions)
{
    /// <exception cref="SummariesMissingException">No aggregate has run, or the library is unknown.</exception>
    public static HealthReport Build(Lake lake, string? library, int top)
    {
        var s = Summaries.Load(lake);
        if (library is not null && s.Libraries.All(l => l.Library != library))
        {
            throw new SummariesMissingException(
                $"no library '{library}' in the summaries of {lake.Root} (known: {string.Join(", ", s.Libraries.Select(l => l.Library))})");
        }

        bool Mine(string lib) => library is null || lib == library;
        var problems = s.Problems
            .Where(p => Mine(p.Library) && p.Level is "WARNING" or "ERROR" or "CRITICAL")
            .OrderByDescending(p => LevelRank(p.Level)).ThenByDescending(p => p.RunsAffected).ThenByDescending(p => p.Events)
            .ThenBy(p => p.Library, StringComparer.Ordinal).ThenBy(p => p.Code, StringComparer.Ordinal).ThenBy(p => p.TraceHash, StringComparer.Ordinal)
            .Take(top)
            .ToList();
        var regressions = s.Regressions
            .Where(r => Mine(r.Library))
            .OrderBy(r => r.Status == RegressionStatus.Confirmed ? 0 : 1)
            .ThenBy(r => r.Library, StringComparer.Ordinal)
            .ThenBy(r => r.Kind.Name(), StringComparer.Ordinal)
            .ThenBy(r => r.Version, Pep440Comparer.Instance)
            .ThenBy(r => r.Function ?? r.Code, StringComparer.Ordinal)
            .ToList();
        return new HealthReport(s.Meta, IsStale(lake, s.Meta), library,
            s.Libraries.Where(l => Mine(l.Library)).ToList(),
            s.Versions.Where(v => Mine(v.Library)).ToList(),
            problems, regressions);
    }

    internal static bool IsStale(Lake lake, SummaryMeta meta)
    {
        using var db = DuckDb.Open();
        var files = LakeFiles.Scan(lake.Paths, db);
        return Aggregator.IngestSetHash(files.CommittedIngests) != meta.IngestSetHash
               || LakeGeneration.Read(lake.Paths) != meta.LakeGeneration;
    }

    internal static int LevelRank(string level) => level switch
    {
        "CRITICAL" => 5, "ERROR" => 4, "WARNING" => 3, "INFO" => 2, _ => 1,
    };

    /// <summary>A problem's subject in one line: code, else exception type, else trace hash.</summary>
    public static string Subject(ProblemSummary p) => ProblemSubject.Of(p.Code, p.ExceptionType, p.Source, p.TraceHash);

    /// <summary>A regression's subject in one line.</summary>
    public static string Subject(RegressionSummary r) => r.Function ?? r.Code ?? $"trace {r.TraceHash}";

    /// <summary>"new in 1.1.0 (confirmed)"-style badges of a problem.</summary>
    public static string Badges(ProblemSummary p)
    {
        var parts = new List<string>();
        if (p.NewInVersion is not null)
        {
            parts.Add(RegressionScope.Badge("new in", p.NewInVersion, p.NewInStatus));
        }

        if (p.FixedInVersion is not null)
        {
            parts.Add(RegressionScope.Badge("fixed in", p.FixedInVersion, p.FixedInStatus));
        }

        return string.Join(", ", parts);
    }

    public static string Percent(double? rate) => rate is null ? "–" : rate.Value.ToString("0.0%", CultureInfo.InvariantCulture);
}

/// <summary>The report as GitHub-flavoured Markdown (CI job summaries). Untrusted text is neutralised.</summary>
public static class MarkdownReport
{
    public static string Render(HealthReport r)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(r.Library is null ? "# Sentinel health report" : $"# Sentinel health report: {Cell(r.Library)}");
        md.AppendLine();
        md.AppendLine(inv, $"{r.Meta.Bundles:N0} bundles, {r.Meta.Runs:N0} runs, {r.Meta.Events:N0} events from {r.Meta.Ingests} ingest(s); newest upload {Date(r.Meta.NewestUpload)}.");
        if (r.Stale)
        {
            md.AppendLine();
            md.AppendLine("> **Stale:** the lake changed since these summaries were computed; run `sentinel aggregate`.");
        }

        md.AppendLine();
        md.AppendLine("## Libraries");
        md.AppendLine();
        md.AppendLine("| library | latest | status | error-free runs | runs | bundles | events | regressions (confirmed / suspected) |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var l in r.Libraries)
        {
            md.AppendLine(inv, $"| {Cell(l.Library)} | {Cell(VersionText.Label(l.LatestVersion))} | {Cell(l.LatestStatus.Name())} | {HealthReport.Percent(l.ErrorFreeRate)} | {l.Runs:N0} | {l.Bundles:N0} | {l.Events:N0} | {l.ConfirmedRegressions} / {l.SuspectedRegressions} |");
        }

        md.AppendLine();
        md.AppendLine("## Versions");
        md.AppendLine();
        md.AppendLine("| library | version | status | error-free runs | runs | errors | warnings per run | why |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|---|");
        foreach (var v in r.Versions)
        {
            md.AppendLine(inv, $"| {Cell(v.Library)} | {Cell(VersionText.Label(v.Version))} | {Cell(v.Status.Name())} | {HealthReport.Percent(v.ErrorFreeRate)} | {v.Runs:N0} | {v.Error + v.Critical:N0} | {v.WarningsPerRun:0.##} | {Cell(v.StatusReason)} |");
        }

        md.AppendLine();
        md.AppendLine("## Top problems");
        md.AppendLine();
        if (r.TopProblems.Count == 0)
        {
            md.AppendLine("No warnings or errors.");
        }
        else
        {
            md.AppendLine("| library | level | problem | title | events | runs | versions | last seen | |");
            md.AppendLine("|---|---|---|---|---:|---:|---|---|---|");
            foreach (var p in r.TopProblems)
            {
                md.AppendLine(inv, $"| {Cell(p.Library)} | {p.Level} | {Cell(HealthReport.Subject(p))} | {Cell(p.Title ?? "")} | {p.Events:N0} | {p.RunsAffected:N0} | {Cell(VersionText.Labels(p.Versions))} | {Date(p.LastSeen)} | {Cell(HealthReport.Badges(p))} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Regressions");
        md.AppendLine();
        if (r.Regressions.Count == 0)
        {
            md.AppendLine("None detected.");
        }
        else
        {
            md.AppendLine("| status | library | kind | subject | version | evidence |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var g in r.Regressions)
            {
                md.AppendLine(inv, $"| {g.Status.Name()} | {Cell(g.Library)} | {RegressionScope.KindLabel(g.Kind, g.Code)} | {Cell(HealthReport.Subject(g))} | {Cell(g.FromVersion is null ? g.Version : $"{g.FromVersion} → {g.Version}")} | {Cell(g.Reason)} |");
            }
        }

        return md.ToString();
    }

    private static string Date(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–";

    /// <summary>Text from the data as an inert table cell (<see cref="Text.MarkdownText.Inert"/>).</summary>
    public static string Cell(string text) => Text.MarkdownText.Inert(text);
}
