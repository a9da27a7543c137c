using Sentinel.Aggregate;
using Sentinel.Ingest;
using Sentinel.Text;

namespace Sentinel.Dashboard;

/// <summary>
/// Turns the summaries into page models for one audience. <c>maintainers</c> sees everything;
/// <c>public</c> sees no number backed by fewer than <c>privacy.min_runs_public</c> distinct runs
/// (docs/dashboard.md): such rows are folded into "other" when the fold reaches the threshold, else
/// hidden, and every page counts what it hid. Catalog titles are scrubbed again and dropped if they trip. The
/// public view also publishes times as days, site totals over the shown libraries only, problem regressions only
/// with their (shown) problem and without per-version counts, and no per-problem environment list.
/// </summary>
public sealed class SiteModelBuilder
{
    public const string Public = "public", Maintainers = "maintainers";

    /// <summary>Problems listed on the library page per kind (errors, warnings).</summary>
    public const int TopProblems = 25;

    /// <summary>Problems on a library's full list, each with its page (the site grows with this, not with uploads).</summary>
    public const int ListedProblemsLimit = 200;

    private readonly Summaries _s;
    private readonly bool _public;
    private readonly int _k;
    private readonly IReadOnlyDictionary<string, string> _docs;
    private readonly SiteInfo _site;
    private readonly IReadOnlyDictionary<string, Triage.Proposal> _approved;
    private readonly IReadOnlyDictionary<string, ProblemTracking> _tracking;

    /// <param name="approved">Approved triage proposals by key (<c>library|problem|code|trace_hash</c>).</param>
    public SiteModelBuilder(Summaries summaries, string audience, int minRunsPublic, string? generatedAt,
        IReadOnlyDictionary<string, Triage.Proposal>? approved = null, IReadOnlyDictionary<string, string>? docs = null,
        IReadOnlyDictionary<string, ProblemTracking>? tracking = null)
    {
        _s = summaries;
        _tracking = tracking ?? new Dictionary<string, ProblemTracking>();
        _docs = docs ?? new Dictionary<string, string>();
        _approved = approved ?? new Dictionary<string, Triage.Proposal>();
        _public = audience == Public;
        _k = _public ? minRunsPublic : 0;
        var hiddenLibraries = _s.Libraries.Count(l => !Enough(l.Runs));
        if (_public)
        {
            // Totals over the libraries shown, never the lake's: the lake's totals minus the shown libraries would
            // give the hidden libraries' counts. (A run or upload that used two shown libraries counts for each.)
            var shown = _s.Libraries.Where(l => Enough(l.Runs)).ToList();
            _site = new SiteInfo(audience, minRunsPublic, shown.Sum(l => l.Bundles), shown.Sum(l => l.Runs), shown.Sum(l => l.Events),
                _s.Meta.Ingests, Day(shown.Max(l => l.LastReceived)), generatedAt, hiddenLibraries);
        }
        else
        {
            _site = new SiteInfo(audience, minRunsPublic, _s.Meta.Bundles, _s.Meta.Runs, _s.Meta.Events,
                _s.Meta.Ingests, _s.Meta.NewestUpload, generatedAt, hiddenLibraries);
        }
    }

    private bool Enough(long runs) => runs >= _k;

    /// <summary>Times the public sees are days (00:00 UTC): to the millisecond, a first or last seen could single out one upload.</summary>
    private DateTimeOffset? Day(DateTimeOffset? t) => t is { } v && _public ? new DateTimeOffset(v.UtcDateTime.Date, TimeSpan.Zero) : t;

    private DateTimeOffset Day(DateTimeOffset t) => Day((DateTimeOffset?)t)!.Value;

    /// <summary>
    /// A problem-kind regression is public only with its problem: the problem must be shown (enough runs affected),
    /// and its reason is told without the per-version counts ("1 of 5 runs") that the summaries' reason carries.
    /// </summary>
    private bool Publishable(RegressionSummary r) =>
        !_public || r.Kind == RegressionKind.Performance ||
        _s.Problems.Any(p => p.Library == r.Library && p.Code == r.Code && (r.Code is not null || p.TraceHash == r.TraceHash) && Enough(p.RunsAffected));

    private string PublicReason(RegressionSummary r) => !_public || r.Kind == RegressionKind.Performance ? r.Reason : r.Kind switch
    {
        RegressionKind.NewInVersion => r.FromVersion is null
            ? $"first seen in {r.Version}; absent from the earlier runs"
            : $"first seen in {r.Version}; absent from the earlier runs of {r.FromVersion}",
        RegressionKind.FixedInVersion => $"last seen before {r.Version}; absent from its runs although expected at the earlier rate",
        _ => r.Kind.Name().Replace('_', ' '),
    };

    public IEnumerable<LibrarySummary> ShownLibraries => _s.Libraries.Where(l => Enough(l.Runs));

    /// <summary>
    /// The home page as an attention queue (issue 17): a new confirmed regression first, then failing, degraded,
    /// healthy, insufficient data, version not reported; ties by name. Every sparkline shares one date range.
    /// </summary>
    public HomePage Home()
    {
        var cards = ShownLibraries.Select(Card).OrderBy(c => c.AttentionRank).ThenBy(c => c.Library, StringComparer.Ordinal).ToList();
        // The shared range: from the first period's first day to the last period's last day (a day, for maintainers).
        var starts = cards.SelectMany(c => c.Trend.Select(d => d.Day)).ToList();
        var ends = cards.SelectMany(c => c.Trend.Select(d => TimelineBuilder.Next(c.TrendGrain, d.Day).AddDays(-1))).ToList();
        return new HomePage(_site, cards, starts.Count > 0 ? starts.Min() : null, ends.Count > 0 ? ends.Max() : null);
    }

    /// <summary>Attention ranks and their words, most urgent first (docs/dashboard.md).</summary>
    public static readonly IReadOnlyList<string> AttentionOrder =
        ["new confirmed regression", "failing", "degraded", "healthy", "insufficient data", "version not reported"];

    private LibraryCard Card(LibrarySummary l)
    {
        var latest = _s.Versions.SingleOrDefault(v => v.Library == l.Library && v.Version == l.LatestVersion);
        // The newest released version with enough runs to be shown, and the one before it (the deltas' baseline).
        var known = _s.Versions.Where(v => v.Library == l.Library && v.Version != Storage.LakeSchema.Unknown && Enough(v.Runs))
            .OrderByDescending(v => v.VersionRank).ToList();
        // "Enough" also means enough for a verdict: a newer version with too few runs for a status does not hide the
        // newest one that has one (it is still listed on the library page).
        var judged = known.Where(v => v.Status != HealthState.InsufficientData).ToList();
        var shown = judged.FirstOrDefault() ?? known.FirstOrDefault();
        var previous = (judged.Count > 0 ? judged : known).Skip(1).FirstOrDefault();
        var status = shown?.Status ?? (latest is not null && Enough(latest.Runs) ? l.LatestStatus : HealthState.InsufficientData);
        var reason = shown?.StatusReason ?? (latest is not null && Enough(latest.Runs) ? latest.StatusReason : $"fewer than {_k} runs of {VersionText.Label(l.LatestVersion)}");
        var inShown = shown is null ? [] : Regressions(l.Library).Where(r => r.Version == shown.Version).ToList();
        var (trend, grain) = Trend(l.Library);
        var newConfirmed = inShown.Count(r => r.Status == RegressionStatus.Confirmed && RegressionScope.IsLibraryRegression(r));
        var attention = newConfirmed > 0 ? 0 : status switch
        {
            HealthState.Failing => 1,
            HealthState.Degraded => 2,
            HealthState.Healthy => 3,
            HealthState.InsufficientData => 4,
            _ => 5,
        };
        return new LibraryCard(l.Library, Paths.Library(l.Library), l.LatestVersion, status, reason, l.ErrorFreeRate,
            l.Runs, l.Bundles, l.Events, Problems(l.Library).Count(), Regressions(l.Library).Count(r => r.Status == RegressionStatus.Confirmed && RegressionScope.IsLibraryRegression(r)),
            Day(l.LastReceived), trend,
            attention, AttentionOrder[attention], Figures(shown), Figures(previous),
            NewProblems: inShown.Count(r => r.Kind == RegressionKind.NewInVersion && !RegressionScope.IsInstrumentation(r.Code)),
            PerformanceRegressions: inShown.Count(r => r.Kind == RegressionKind.Performance && r.Status == RegressionStatus.Confirmed),
            Fixed: inShown.Count(r => r.Kind == RegressionKind.FixedInVersion && r.Status == RegressionStatus.Confirmed),
            Instrumentation: inShown.Count(r => RegressionScope.IsInstrumentation(r.Code))) { TrendGrain = grain };
    }

    private static VersionHealthFigures? Figures(VersionSummary? v) =>
        v is null ? null : new(v.Version, v.Runs, v.ErrorFreeRuns, v.ErrorFreeRate, v.CrashFreeRuns, v.CrashFreeRate);

    /// <summary>
    /// A home sparkline's points: events per day for maintainers; in the public view, events per period at the grain the
    /// library page's timeline uses (coarsened day → week → month until every period has k runs), so a quiet library's
    /// trend is shown coarser instead of hidden; a month still below k is left out (a break in the line).
    /// </summary>
    private (List<DayCount> Points, string Grain) Trend(string library)
    {
        if (!_public)
        {
            return (_s.Trends.Where(t => t.Library == library).GroupBy(t => t.Day).OrderBy(g => g.Key)
                .Select(g => new DayCount(g.Key, g.Sum(t => t.Events))).ToList(), "day");
        }

        var shown = _s.Versions.Where(v => v.Library == library && Enough(v.Runs)).Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        var timeline = TimelineBuilder.Build(_s.Activity.Where(a => a.Library == library).ToList(), shown, [], _k);
        return timeline is null ? ([], "day") : (timeline.Bins.Select(b => new DayCount(b.Period, b.Events)).ToList(), timeline.Grain);
    }

    private IEnumerable<ProblemSummary> Problems(string library) =>
        _s.Problems.Where(p => p.Library == library && p.Level is "WARNING" or "ERROR" or "CRITICAL" && Enough(p.RunsAffected));

    private IEnumerable<RegressionSummary> Regressions(string library) =>
        _s.Regressions.Where(r => r.Library == library && Enough(r.RunsBefore) && Enough(r.RunsAfter) && Publishable(r));

    public LibraryPage Library(LibrarySummary l)
    {
        var card = Card(l);
        var versions = _s.Versions.Where(v => v.Library == l.Library).ToList();
        var shown = versions.Where(v => Enough(v.Runs)).ToList();
        var folded = versions.Where(v => !Enough(v.Runs)).ToList();
        FoldedVersions? other = null;
        if (folded.Count > 0)
        {
            var runs = folded.Sum(v => v.Runs);
            var ok = Enough(runs);
            other = new FoldedVersions(folded.Select(v => v.Version).ToList(), ok ? runs : 0,
                ok ? folded.Sum(v => v.Events) : 0, ok ? folded.Sum(v => v.Error + v.Critical) : 0,
                ok ? Math.Round((double)folded.Sum(v => v.ErrorFreeRuns) / runs, 4) : null, ok);
        }

        var trends = _s.Trends.Where(t => t.Library == l.Library).ToList();
        var problems = _s.Problems.Where(p => p.Library == l.Library && p.Level is "WARNING" or "ERROR" or "CRITICAL").ToList();
        var performance = _s.Performance.Where(p => p.Library == l.Library && p.QualifiedRuns > 0).ToList();
        var regressions = _s.Regressions.Where(r => r.Library == l.Library).ToList();
        var environments = _s.Environments.Where(e => e.Library == l.Library).ToList();
        var shownEnvironments = environments.Where(e => Enough(e.Runs) && shown.Any(v => v.Version == e.Version)).ToList();

        var topErrors = Top(problems.Where(p => p.Level is "ERROR" or "CRITICAL"));
        var topWarnings = Top(problems.Where(p => p.Level == "WARNING"));
        var listed = topErrors.Concat(topWarnings).ToList();
        RegressionRow Linked(RegressionSummary r)
        {
            var row = Row(r);
            var problem = r.Kind == RegressionKind.Performance ? null
                : listed.FirstOrDefault(p => p.Code == r.Code && (r.Code is not null || p.TraceHash == r.TraceHash));
            return problem is null ? row : row with { Href = problem.Href };
        }

        return new LibraryPage(_site, l.Library, card.LatestVersion, card.Status, card.StatusReason, l.ErrorFreeRate,
            l.Runs, l.Bundles, l.Events,
            shown.Select(v =>
            {
                var (low, high) = Wilson.Interval(v.ErrorFreeRuns, v.Runs);
                return new VersionRow(v.Version, v.PreRelease, v.Status, v.StatusReason, v.Runs, v.Bundles, v.Events,
                    v.Error + v.Critical, v.Warning, v.ErrorFreeRate, v.WarningsPerRun, Day(v.FirstSeen), Day(v.LastSeen),
                    v.ErrorFreeRuns, Math.Round(low, 4), Math.Round(high, 4), v.CrashFreeRuns, v.CrashFreeRate);
            }).ToList(),
            other,
            trends.Where(t => Enough(t.Runs)).Select(t => new TrendRow(t.Day, t.Level, t.Events)).ToList(),
            topErrors,
            topWarnings,
            performance.Where(p => Enough(p.QualifiedRuns))
                .Select(p => new PerformanceRow(p.Function, p.Version, p.Runs, p.QualifiedRuns, p.P50MedianMs, p.P95MedianMs, p.P95P25Ms, p.P95P75Ms)).ToList(),
            Regressions(l.Library).Select(Linked).ToList(),
            // Per version (PEP 440 order), platforms then Python versions, Python versions in numeric order (3.9 < 3.10).
            shownEnvironments.OrderBy(e => e.VersionRank).ThenBy(e => e.Dimension, StringComparer.Ordinal)
                .ThenBy(e => e.Dimension == "python_version" ? PythonOrder(e.Value) : PythonOrder(""))
                .ThenByDescending(e => e.Runs).ThenBy(e => e.Value, StringComparer.Ordinal)
                .Select(e => new EnvironmentRow(e.Version, e.Dimension, e.Value, e.Runs, e.Share, e.ErrorFreeRuns, e.ErrorFreeRate)).ToList(),
            new Hidden(
                folded.Count,
                problems.Count(p => !Enough(p.RunsAffected)),
                trends.Count(t => !Enough(t.Runs)),
                performance.Count(p => !Enough(p.QualifiedRuns)),
                regressions.Count - Regressions(l.Library).Count(),
                environments.Count - shownEnvironments.Count)) with
        {
            Docs = _docs.GetValueOrDefault(l.Library),
            ErrorProblems = problems.Count(p => p.Level is "ERROR" or "CRITICAL" && Enough(p.RunsAffected)),
            WarningProblems = problems.Count(p => p.Level == "WARNING" && Enough(p.RunsAffected)),
            Timeline = TimelineBuilder.Build(
                _s.Activity.Where(a => a.Library == l.Library).ToList(),
                shown.Select(v => v.Version).ToHashSet(StringComparer.Ordinal),
                shown.Where(v => v.FirstSeen is not null && v.Version != Storage.LakeSchema.Unknown)
                    .Select(v => new VersionMarker(v.Version, DateOnly.FromDateTime(v.FirstSeen!.Value.UtcDateTime))).ToList(),
                _k),
        };
    }

    private List<ProblemRow> Top(IEnumerable<ProblemSummary> problems) => Ranked(problems.Where(p => Enough(p.RunsAffected))).Take(TopProblems).ToList();

    private IEnumerable<ProblemRow> Ranked(IEnumerable<ProblemSummary> problems) =>
        problems
            .OrderByDescending(p => p.RunsAffected).ThenByDescending(p => p.Events)
            .ThenBy(p => p.Code, StringComparer.Ordinal).ThenBy(p => p.TraceHash, StringComparer.Ordinal)
            .Select(p => Row(p) with { Daily = p.Daily.Where(d => Enough(d.Runs)).Select(d => new DayCount(d.Day, d.Events)).ToList() });

    /// <summary>
    /// A library's full problem list (<c>problems/&lt;library&gt;.html</c>): every problem the audience may see, warnings
    /// and above, by runs affected, at most <see cref="ListedProblemsLimit"/>; each gets a page.
    /// </summary>
    public ProblemList ProblemList(LibraryPage page)
    {
        var problems = _s.Problems.Where(p => p.Library == page.Library && p.Level is "WARNING" or "ERROR" or "CRITICAL").ToList();
        var shown = problems.Where(p => Enough(p.RunsAffected)).ToList();
        var rows = Ranked(shown).Take(ListedProblemsLimit).ToList();
        return new ProblemList(_site, page.Library, rows, shown.Count, problems.Count - shown.Count,
            page.DayRange?.From, page.DayRange?.To);
    }

    /// <summary>The problems that get a page: those on their library's full list (which holds the library page's top ones).</summary>
    public IEnumerable<(ProblemSummary Summary, ProblemRow Row)> ListedProblems(ProblemList list)
    {
        var ids = list.Problems.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        return _s.Problems.Where(p => p.Library == list.Library).Select(p => (p, Row(p))).Where(x => ids.Contains(x.Item2.Id));
    }

    /// <summary>A problem's page; its chart shares <paramref name="library"/>'s day range and version markers.</summary>
    public ProblemPage Problem(ProblemSummary p, ProblemRow row, LibraryPage library)
    {
        var daily = p.Daily.Where(d => Enough(d.Runs)).Select(d => new DayCount(d.Day, d.Events)).ToList();
        TriageNote? note = null;
        if (_approved.TryGetValue($"{p.Library}|problem|{p.ProblemKey}", out var proposal) && proposal.LastDecision is { } decision)
        {
            var v = proposal.Verdict;
            note = new TriageNote(proposal.Id, v.Source, v.Kind, v.Summary, v.ProbableCause, v.SuggestedFix, v.Severity, v.Impact, v.Confidence,
                decision.At, _public ? null : decision.By, _public ? null : decision.Note);
        }

        // Which platforms and Python versions a problem was seen on carries no run count per value, so the public
        // page cannot tell whether a value is backed by k runs: it is listed for maintainers only (the library
        // page's environment table, thresholded per value, is public).
        // Per dimension, the rows left out must not add up to fewer than k of the problem's runs (which the page shows).
        var spread = p.Spread.Where(x => Enough(x.Runs)).GroupBy(x => x.Dimension)
            .SelectMany(g =>
            {
                var rows = g.ToList();
                var drop = _public ? Complement.Suppress([.. rows.Select(x => x.Runs)], p.RunsAffected, _k) : [];
                return rows.Where((_, i) => !drop.Contains(i));
            }).ToList();
        return new ProblemPage(_site, p.Library, row, p.Category, _public ? [] : p.Platforms, _public ? [] : p.PythonVersions, daily,
            p.Daily.Count - daily.Count, note)
        {
            // Versions as the summaries order them (PEP 440), then Python versions numerically (3.9 < 3.10), then platforms.
            Spread = spread.Select((x, i) => (x, i))
                .OrderBy(t => t.x.Dimension == "version" ? 0 : t.x.Dimension == "python_version" ? 1 : 2)
                .ThenBy(t => t.x.Dimension == "version" ? t.i : 0)
                .ThenBy(t => t.x.Dimension == "python_version" ? PythonOrder(t.x.Value) : PythonOrder(""))
                .ThenByDescending(t => t.x.Runs).ThenBy(t => t.x.Value, StringComparer.Ordinal)
                .Select(t => new SpreadRow(t.x.Dimension, t.x.Value, t.x.Runs, t.x.OfRuns, t.x.Share)).ToList(),
            SpreadHidden = p.Spread.Count - spread.Count,
            From = library.DayRange?.From,
            To = library.DayRange?.To,
            Markers = library.Timeline?.Markers ?? [],
        };
    }

    private ProblemRow Row(ProblemSummary p) => new(
        Paths.ProblemId(p.Code, p.ProblemKey), Paths.Problem(p.Library, p.Code, p.ProblemKey), p.Code, p.TraceHash, p.Level,
        p.ExceptionType, ShownTitle(p), p.Events, p.RunsAffected, p.RunsAffectedShare, p.Versions,
        Day(p.FirstSeen), Day(p.LastSeen), p.NewInVersion, p.NewInStatus, p.FixedInVersion, p.FixedInStatus,
        p.Variants, p.Code is null ? p.Source : null)
    {
        Tracking = _tracking.GetValueOrDefault(TrackingKey(p.Library, p.ProblemKey)),
    };

    /// <summary>The sort key of a Python version, numeric (3.9 before 3.10); anything else ("unknown") last.</summary>
    internal static Version PythonOrder(string value) => Version.TryParse(value, out var v) ? v : new Version(int.MaxValue, 0);

    /// <summary>The key of a problem's triage proposal, under which its tracking is looked up.</summary>
    public static string TrackingKey(string library, string problemKey) => $"{library}|problem|{problemKey}";

    private RegressionRow Row(RegressionSummary r) => new(
        r.Kind, r.Status, r.Version, r.FromVersion, HealthReport.Subject(r), r.Level, r.Ratio, r.PValue,
        r.RunsBefore, r.RunsAfter, r.BeforeValue, r.AfterValue, PublicReason(r), RegressionScope.KindLabel(r.Kind, r.Code));

    // Titles were scrubbed at ingest; scrub again so a rule added since cannot be bypassed by old rows. The public site
    // shows a title only when most runs that reported a title for the code agree on it and at least k runs did: one
    // anonymous upload cannot name a problem (docs/privacy.md).
    private string? ShownTitle(ProblemSummary p) =>
        p.Title is null || Scrubber.Check(p.Title) is not null ? null
        : _public && p.TitleSource != "catalog" && (!p.TitleMajority || p.TitleRuns < _k) ? null
        : p.Title;
}
