using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sentinel.Text;
using static Sentinel.Dashboard.Html;

namespace Sentinel.Dashboard;

/// <summary>One rendered page: its HTML and the figures its chart script defines (id → figure JSON).</summary>
internal sealed record RenderedPage(string Path, string Html, IReadOnlyList<KeyValuePair<string, JsonObject>> Figures);

/// <summary>The three kinds of page: home, library, problem.</summary>
internal static class Pages
{
    public static RenderedPage Home(HomePage m)
    {
        var figures = new List<KeyValuePair<string, JsonObject>>();
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<h1>Library health</h1>\n");
        b.Append("<div class=\"stats\">");
        Stat(b, "libraries", N(m.Libraries.Count));
        Stat(b, "uploads", N(m.Site.Bundles));
        Stat(b, "runs", N(m.Site.Runs));
        Stat(b, "events", N(m.Site.Events));
        Stat(b, "newest upload", Date(m.Site.NewestUpload));
        b.Append("</div>\n");
        b.Append("<p class=\"why\">Libraries in attention order: a new confirmed regression first, then failing, degraded, healthy, " +
                 "insufficient data. Each row is about the newest version with enough runs for a status, compared with the version before it.</p>\n");
        var zeroFill = m.Site.Audience != SiteModelBuilder.Public;
        b.Append("<div class=\"filters\" data-table=\"libraries\" hidden><input type=\"search\" data-filter=\"search\" placeholder=\"Search libraries\" aria-label=\"Search libraries\">");
        b.Append("<select data-filter=\"status\" aria-label=\"any status\"><option value=\"\">any status</option>");
        foreach (var status in m.Libraries.Select(l => l.Status.Name()).Distinct())
        {
            b.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(status)}\">{E(status)}</option>");
        }

        b.Append("</select><span class=\"filter-status\" aria-live=\"polite\"></span></div>\n");
        b.Append(Table("Attention queue",
            ["library", "version", "attention", "error-free runs", "crash-free runs", "new problems", "slowdowns", "fixes", "instrumentation", "runs",
             m.TrendFrom is { } from && m.TrendTo is { } to ? $"events per {(zeroFill ? "day" : "period")}, {from:yyyy-MM-dd} – {to:yyyy-MM-dd}" : "events over time"],
            m.Libraries.Select(l => new TableRow(
                $"data-search=\"{E(l.Library.ToLowerInvariant())}\" data-status=\"{E(l.Status.Name())}\"",
            [
                $"<a href=\"{E(l.Href)}\">{E(l.Library)}</a>", $"<code class=\"ver\">{E(VersionText.Label(l.Shown?.Version ?? l.LatestVersion))}</code>",
                $"{StatusBadge(l.Status)}{(l.AttentionRank == 0 ? " <span class=\"badge attention\">new confirmed regression</span>" : "")}<div class=\"why\">{E(l.StatusReason)}</div>",
                Compared(l.Shown, l.Previous, f => f.ErrorFreeRate),
                Compared(l.Shown, l.Previous, f => f.CrashFreeRate),
                N(l.NewProblems), N(l.PerformanceRegressions),
                l.Fixed > 0 ? $"<span class=\"fixed\">{N(l.Fixed)}</span>" : "0",
                N(l.Instrumentation), N(l.Runs),
                m.TrendFrom is { } f0 && m.TrendTo is { } t0 && l.Trend.Count > 0
                    ? Svg.Sparkline(l.Trend, f0, t0, zeroFill, $"events per {l.TrendGrain} for {l.Library}, {f0:yyyy-MM-dd} to {t0:yyyy-MM-dd}", l.TrendGrain)
                    : "–",
            ])),
            Cols(5, 6, 7, 8, 9), cards: true, id: "libraries", sort: ["text", "text", null, "num", "num", "num", "num", "num", "num", "num", null]));
        if (!zeroFill)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"why\">Public view: each sparkline is drawn per day, week or month, the finest grain at which every period has at least {m.Site.MinRunsPublic} runs; a break in a line is a period with fewer.</p>\n");
        }

        b.Append("<p class=\"why\">New problems, performance regressions and fixes are those found in the version shown; <em>instrumentation</em> " +
                 "counts findings on smonitor's own codes (SMONITOR-*), which say how a library is wired to smonitor and are never library regressions.</p>\n");
        if (m.Site.LibrariesHidden > 0)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"hidden-note\">{N(m.Site.LibrariesHidden)} librar{(m.Site.LibrariesHidden == 1 ? "y" : "ies")} with fewer than {m.Site.MinRunsPublic} runs not shown.</p>\n");
        }

        return new RenderedPage(Paths.Home, Page(Paths.Home, "Library health", m.Site, b.ToString(), charts: false, Paths.DataOf(Paths.Home)), figures);
    }

    // "92.0% of 40 ↑ from 71.0% of 35 in 0.10.0": the rate of the version shown, and the one before it.
    private static string Compared(VersionHealthFigures? shown, VersionHealthFigures? previous, Func<VersionHealthFigures, double> rate)
    {
        if (shown is null)
        {
            return "–";
        }

        var now = string.Create(CultureInfo.InvariantCulture, $"{Pct(rate(shown))} <span class=\"of\">of {N(shown.Runs)}</span>");
        if (previous is null)
        {
            return $"<div class=\"rate\">{now}</div>";
        }

        var delta = rate(shown) - rate(previous);
        var arrow = Math.Abs(delta) < 0.0005 ? "→" : delta > 0 ? "↑" : "↓";
        var css = Math.Abs(delta) < 0.0005 ? "same" : delta > 0 ? "up" : "down";
        return string.Create(CultureInfo.InvariantCulture,
            $"<div class=\"rate\">{now}<div class=\"delta {css}\">{arrow} from {Pct(rate(previous))} of {N(previous.Runs)} in <code class=\"ver\">{E(previous.Version)}</code></div></div>");
    }

    /// <summary>
    /// One line per released version against the one before it, for users deciding whether to upgrade:
    /// "0.10.1 vs 0.10.0: error-free 92.0% vs 71.0% over 40 / 35 runs", and whether the 95% intervals overlap.
    /// </summary>
    internal static List<string> UpgradeAdvice(IReadOnlyList<VersionRow> versions)
    {
        var released = versions.Where(v => v.Version != Storage.LakeSchema.Unknown).ToList();
        var lines = new List<string>();
        for (var i = 1; i < released.Count; i++)
        {
            var (before, after) = (released[i - 1], released[i]);
            var verdict = after.ErrorFreeLow > before.ErrorFreeHigh ? "better"
                : after.ErrorFreeHigh < before.ErrorFreeLow ? "worse"
                : "no clear difference yet (the intervals overlap)";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"<code class=\"ver\">{E(after.Version)}</code> vs <code class=\"ver\">{E(before.Version)}</code>: error-free {Pct(after.ErrorFreeRate)} vs {Pct(before.ErrorFreeRate)} over {N(after.Runs)} / {N(before.Runs)} runs: {verdict}."));
        }

        return lines;
    }

    public static RenderedPage Library(LibraryPage m)
    {
        var path = Paths.Library(m.Library);
        var figures = new List<KeyValuePair<string, JsonObject>>();
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<nav class=\"crumbs\"><a href=\"../index.html\">All libraries</a> › {E(m.Library)}</nav>\n");
        b.Append(CultureInfo.InvariantCulture, $"<h1>{E(m.Library)} {StatusBadge(m.Status)}</h1>\n<p class=\"why\">Latest version <code>{E(VersionText.Label(m.LatestVersion))}</code>: {E(m.StatusReason)}</p>\n");
        if (m.Docs is { } docs)
        {
            // Registered by the maintainers (https only, checked when the config is read).
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"why\"><a href=\"{E(docs)}\" rel=\"noopener noreferrer\">Documentation</a></p>\n");
        }

        b.Append("<div class=\"stats\">");
        Stat(b, "error-free runs", Pct(m.ErrorFreeRate));
        Stat(b, "runs", N(m.Runs));
        Stat(b, "uploads", N(m.Bundles));
        Stat(b, "events", N(m.Events));
        b.Append("</div>\n");

        b.Append("<section><h2>Versions</h2>\n");
        var rows = m.Versions.Select(v => (IReadOnlyList<string>)
        [
            $"<code class=\"ver\">{E(VersionText.Label(v.Version))}</code>{(v.PreRelease ? " <span class=\"badge pre\">pre-release</span>" : "")}",
            $"{StatusBadge(v.Status)}<div class=\"why\">{E(v.StatusReason)}</div>",
            Pct(v.ErrorFreeRate), $"<span class=\"ci\">{Pct(v.ErrorFreeLow)}–{Pct(v.ErrorFreeHigh)}</span>", Pct(v.CrashFreeRate), N(v.Runs), N(v.Bundles), N(v.Events), N(v.Errors),
            v.WarningsPerRun.ToString("0.##", CultureInfo.InvariantCulture), DateCell(v.FirstSeen), DateCell(v.LastSeen),
        ]).ToList();
        if (m.OtherVersions is { Shown: true } o)
        {
            rows.Add([$"other ({N(o.Versions.Count)} versions)", "", Pct(o.ErrorFreeRate), "", "", N(o.Runs), "", N(o.Events), N(o.Errors), "", "", ""]);
        }

        b.Append(Table("Health by version (PEP 440 order); the interval is the 95% Wilson interval of the error-free rate",
            ["version", "status", "error-free runs", "95% interval", "crash-free runs", "runs", "uploads", "events", "errors", "warnings per run", "first seen", "last seen"], rows, Cols(2, 3, 4, 5, 6, 7, 8, 9)));
        var advice = UpgradeAdvice(m.Versions);
        if (advice.Count > 0)
        {
            b.Append("<h3>Before upgrading</h3>\n<ul class=\"advice\">\n");
            foreach (var line in advice)
            {
                b.Append(CultureInfo.InvariantCulture, $"<li>{line}</li>\n");
            }

            b.Append("</ul>\n");
        }
        if (m.OtherVersions is { Shown: false } hiddenFold)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"hidden-note\">{N(hiddenFold.Versions.Count)} version(s) with fewer than {m.Site.MinRunsPublic} runs between them not shown.</p>\n");
        }
        else if (m.OtherVersions is { Shown: true } shownFold)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"hidden-note\">Versions with fewer than {m.Site.MinRunsPublic} runs each are folded into “other”.</p>\n");
        }

        if (m.Versions.Count > 0)
        {
            figures.Add(new("error-free", Charts.ErrorFreeByVersion(m.Versions)));
            b.Append(Chart("error-free", $"error-free run rate by version of {m.Library}"));
        }

        b.Append("</section>\n");
        TimeSections(b, m, figures);

        var zeroFill = m.Site.Audience != SiteModelBuilder.Public;
        var range = m.DayRange;
        b.Append(CultureInfo.InvariantCulture, $"<p><a href=\"../{E(Paths.ProblemList(m.Library))}\">All {N(m.ErrorProblems + m.WarningProblems)} problems of {E(m.Library)}, with search and filters →</a></p>\n");
        ProblemsSection(b, "Top errors", m.TopErrors, m.ErrorProblems, range, zeroFill, m.Library);
        ProblemsSection(b, "Top warnings", m.TopWarnings, m.WarningProblems, range, zeroFill, m.Library);
        Hidden(b, m.Hidden.Problems, "problem(s)", m.Site);

        b.Append("<section><h2>Performance by function and version</h2>\n");
        var versionOrder = m.Versions.Select(v => v.Version).ToList();
        if (m.Performance.Count > 0)
        {
            var order = versionOrder.Concat(m.Performance.Select(p => p.Version).Where(v => !versionOrder.Contains(v)).Distinct()).ToList();
            figures.Add(new("performance", Charts.PerformanceByVersion(m.Performance, order, m.Regressions)));
            b.Append(Chart("performance", $"median per-run p95 by version for {m.Library}"));
        }

        b.Append(Table("Median per-run p95 (runs with at least the configured number of calls)",
            ["function", "version", "runs", "p50 median (ms)", "p95 median (ms)", "p95 middle half (ms)"],
            m.Performance.Select(p => (IReadOnlyList<string>)
            [
                $"<code class=\"wrap\">{E(p.Function)}</code>", $"<code>{E(VersionText.Label(p.Version))}</code>", N(p.QualifiedRuns), Ms(p.P50MedianMs), Ms(p.P95MedianMs),
                $"{Ms(p.P95P25Ms)} – {Ms(p.P95P75Ms)}",
            ]), Cols(2, 3, 4)));
        Hidden(b, m.Hidden.PerformanceRows, "timing row(s)", m.Site);
        b.Append("</section>\n");

        b.Append("<section><h2>Regressions</h2>\n");
        b.Append(Table("New in a version, fixed in a version, and performance regressions, with their evidence",
            ["status", "kind", "subject", "version", "ratio", "p-value", "runs before / after", "evidence"],
            m.Regressions.Select(r => (IReadOnlyList<string>)
            [
                $"<span class=\"badge reg-{Class(r.Status.Name())}\">{E(r.Status.Name())}</span>", E(r.KindLabel),
                r.Href is null ? $"<code class=\"wrap\">{E(r.Subject)}</code>" : $"<a href=\"../{E(r.Href)}\"><code class=\"wrap\">{E(r.Subject)}</code></a>",
                $"<code>{E(r.FromVersion is null ? r.Version : $"{r.FromVersion} → {r.Version}")}</code>",
                r.Ratio is null ? "–" : "×" + r.Ratio.Value.ToString("0.##", CultureInfo.InvariantCulture),
                r.PValue is null ? "–" : Sentinel.Text.PValueText.Value(r.PValue.Value),
                $"{N(r.RunsBefore)} / {N(r.RunsAfter)}", E(r.Reason),
            ]), Cols(4, 5, 6)));
        Hidden(b, m.Hidden.Regressions, "finding(s)", m.Site);
        b.Append("</section>\n");

        b.Append("<section><h2>Runs by Python version and platform</h2>\n");
        foreach (var (dimension, title) in new[] { ("python_version", "Python version"), ("platform", "platform") })
        {
            var envRows = m.Environments.Where(e => e.Dimension == dimension && e.Value != "unknown").ToList();
            if (envRows.Count == 0)
            {
                continue;
            }

            // Python versions in numeric order (3.9 < 3.10), platforms by name; library versions in PEP 440 order.
            var values = envRows.Select(e => e.Value).Distinct()
                .OrderBy(SiteModelBuilder.PythonOrder).ThenBy(v => v, StringComparer.Ordinal).ToList();
            var id = dimension == "platform" ? "env-platform" : "env-python";
            b.Append(CultureInfo.InvariantCulture, $"<h3>Error-free runs by {E(title)}, per version</h3>\n");
            figures.Add(new(id, Charts.ErrorFreeByEnvironment(envRows, values, m.Versions.Select(v => v.Version).ToList(), title)));
            b.Append(Chart(id, $"error-free run rate by {title} and version of {m.Library}"));
        }

        b.Append(Table("Share of each version's runs, and how many of them were error-free (for support decisions)",
            ["version", "dimension", "value", "runs", "share", "error-free runs", "95% interval"],
            m.Environments.Select(e =>
            {
                var (low, high) = Sentinel.Aggregate.Wilson.Interval(e.ErrorFreeRuns, e.Runs);
                return (IReadOnlyList<string>)
                [
                    $"<code class=\"ver\">{E(VersionText.Label(e.Version))}</code>", E(e.Dimension.Replace('_', ' ')), $"<code>{E(e.Value)}</code>", N(e.Runs), Pct(e.Share),
                    Pct(e.ErrorFreeRate), $"<span class=\"ci\">{Pct(low)}–{Pct(high)}</span>",
                ];
            }), Cols(3, 4, 5, 6)));
        Hidden(b, m.Hidden.EnvironmentRows, "row(s)", m.Site);
        b.Append("</section>\n");

        return new RenderedPage(path, Page(path, m.Library, m.Site, b.ToString(), figures.Count > 0, Paths.DataOf(path)), figures);
    }

    public static RenderedPage Problem(ProblemPage m)
    {
        var p = m.Problem;
        var path = p.Href;
        var figures = new List<KeyValuePair<string, JsonObject>>();
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<nav class=\"crumbs\"><a href=\"../../index.html\">All libraries</a> › <a href=\"../../{E(Paths.Library(m.Library))}\">{E(m.Library)}</a> › problem</nav>\n");
        b.Append(CultureInfo.InvariantCulture, $"<h1><code class=\"wrap\">{E(Subject(p))}</code> {LevelBadge(p.Level)}</h1>\n");
        if (p.Title is not null)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"title\">{E(p.Title)}</p>\n");
        }

        var badges = ProblemBadges(p);
        if (badges.Length > 0)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p>{badges}</p>\n");
        }

        b.Append(Table("Facts",
            ["", ""],
            new List<IReadOnlyList<string>>
            {
                new[] { "library", E(m.Library) },
                new[] { "code", p.Code is null ? "–" : $"<code class=\"wrap\">{E(p.Code)}</code>" },
                new[] { p.Variants.Count > 1 ? "trace hashes (variants)" : "trace hash", string.Join(", ", (p.Variants.Count > 0 ? p.Variants : [p.TraceHash]).Select(v => $"<code>{E(v)}</code>")) },
                new[] { "exception type", E(p.ExceptionType ?? "–") },
                new[] { "category", E(m.Category ?? "–") },
                new[] { "events", N(p.Events) },
                new[] { "runs affected", $"{N(p.RunsAffected)} ({Pct(p.RunsAffectedShare)} of the library's runs)" },
                new[] { "versions", string.Join(", ", p.Versions.Select(v => $"<code>{E(VersionText.Label(v))}</code>")) },
                new[] { "platforms", E(string.Join(", ", m.Platforms)) },
                new[] { "Python versions", E(string.Join(", ", m.PythonVersions)) },
                new[] { "first seen", DateCell(p.FirstSeen) },
                new[] { "last seen", DateCell(p.LastSeen) },
            }.Where(row => row[1].Length > 0))); // the public view has no platform list (see "Where it happens"): no empty rows

        b.Append("<section><h2>Where it happens</h2>\n");
        var colour = Charts.LevelColours.GetValueOrDefault(p.Level, "#0969da");
        b.Append(Table("Share of the library's runs with each version, Python version and platform that had this problem",
            ["dimension", "value", "share of runs", "runs"],
            m.Spread.Select(x => (IReadOnlyList<string>)
            [
                E(x.Dimension.Replace('_', ' ')),
                $"<code class=\"ver\">{E(x.Dimension == "version" ? VersionText.Label(x.Value) : x.Value)}</code>",
                $"{Svg.ShareBar(x.Share, colour, $"{x.Value}: {x.Runs} of {x.OfRuns} runs")}{Pct(x.Share)}",
                $"{N(x.Runs)} of {N(x.OfRuns)}",
            ]), Cols(3)));
        Hidden(b, m.SpreadHidden, "row(s)", m.Site);
        b.Append("</section>\n");

        b.Append("<section><h2>Events per day</h2>\n");
        if (m.Daily.Count > 0)
        {
            var from = m.From is { } f && f <= m.Daily.Min(d => d.Day) ? f : m.Daily.Min(d => d.Day);
            var to = m.To is { } last && last >= m.Daily.Max(d => d.Day) ? last : m.Daily.Max(d => d.Day);
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"range\" data-range-from=\"{from:yyyy-MM-dd}\" data-range-to=\"{to:yyyy-MM-dd}\" data-grain=\"day\">Per day, {from:yyyy-MM-dd} – {to:yyyy-MM-dd} (UTC), the range of the library page; dotted lines mark the day each version was first seen.</p>\n");
            figures.Add(new("daily", Charts.Daily(m.Daily, p.Level, from, to, m.Site.Audience != SiteModelBuilder.Public, m.Markers)));
            b.Append(Chart("daily", "events per day"));
        }
        else
        {
            b.Append("<p class=\"empty\">No day has enough runs to show.</p>\n");
        }

        Hidden(b, m.DaysHidden, "day(s)", m.Site);
        b.Append("</section>\n<section><h2>Triage</h2>\n");
        if (m.Triage is { } t)
        {
            b.Append(Table($"Approved triage verdict ({t.Source}, {t.Kind.Replace('_', ' ')})", ["", ""], new List<IReadOnlyList<string>>
            {
                new[] { "summary", E(t.Summary) },
                new[] { "probable cause", E(t.ProbableCause) },
                new[] { "suggested fix", E(t.SuggestedFix) },
                new[] { "severity / impact / confidence", E($"{t.Severity} / {Pct(t.Impact)} of runs / {t.Confidence}") },
                new[] { "approved", E($"{Date(t.ApprovedAt)}{(t.ApprovedBy is null ? "" : " by " + t.ApprovedBy)}{(t.Note is null ? "" : ": " + t.Note)}") },
            }));
        }
        else
        {
            b.Append("<p class=\"empty\">No approved triage verdict yet.</p>\n");
        }

        b.Append("</section>\n");
        return new RenderedPage(path, Page(path, Subject(p), m.Site, b.ToString(), figures.Count > 0, Paths.DataOf(path)), figures);
    }

    /// <summary>
    /// Adoption (runs per period by version, stacked) and errors and warnings per run, on one stated range and grain,
    /// with version markers; then the daily events by level (maintainers) or the note that the public view coarsened.
    /// </summary>
    private static void TimeSections(StringBuilder b, LibraryPage m, List<KeyValuePair<string, JsonObject>> figures)
    {
        var versionOrder = m.Versions.Select(v => v.Version).ToList();
        if (m.Timeline is not { } t)
        {
            b.Append("<section><h2>Adoption and errors over time</h2>\n<p class=\"empty\">No runs with events yet.</p>\n</section>\n");
            return;
        }

        var range = string.Create(CultureInfo.InvariantCulture, $"{t.From:yyyy-MM-dd} – {TimelineBuilder.Next(t.Grain, t.To).AddDays(-1):yyyy-MM-dd}");
        b.Append(CultureInfo.InvariantCulture, $"<section><h2>Adoption over time</h2>\n<p class=\"range\" data-range-from=\"{t.From:yyyy-MM-dd}\" data-range-to=\"{t.To:yyyy-MM-dd}\" data-grain=\"{E(t.Grain)}\">Per {E(t.Grain)}, {range} (UTC); dotted lines mark the day each version was first seen.");
        if (t.Coarsened)
        {
            b.Append(CultureInfo.InvariantCulture, $" Public view: periods are {E(t.Grain)}s, the finest grain at which each period has at least {m.Site.MinRunsPublic} runs.");
        }

        b.Append("</p>\n");
        if (t.Adoption.Count > 0)
        {
            figures.Add(new("adoption", Charts.Adoption(t, versionOrder)));
            b.Append(Chart("adoption", $"runs per {t.Grain} by version of {m.Library}, {range}"));
        }
        else
        {
            b.Append("<p class=\"empty\">No period has enough runs of one version to show.</p>\n");
        }

        Hidden(b, t.CellsHidden, $"version × {t.Grain} cell(s)", m.Site);
        b.Append("</section>\n<section><h2>Errors and warnings per run</h2>\n");
        if (t.Bins.Any(x => x.Runs > 0))
        {
            figures.Add(new("per-run", Charts.PerRun(t)));
            b.Append(Chart("per-run", $"errors and warnings per run, per {t.Grain}, {range}"));
        }
        else
        {
            b.Append("<p class=\"empty\">No period has enough runs to show.</p>\n");
        }

        Hidden(b, t.BinsHidden, $"{t.Grain}(s)", m.Site);
        b.Append("</section>\n");
    }

    private static void ProblemsSection(StringBuilder b, string heading, IReadOnlyList<ProblemRow> problems, int total,
        (DateOnly From, DateOnly To)? range, bool zeroFill, string library)
    {
        var id = Class(heading);
        b.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(heading)}</h2>\n");
        b.Append(ProblemTable(id, string.Create(CultureInfo.InvariantCulture, $"{heading} by runs affected: showing {problems.Count} of {total}"),
            problems, range, zeroFill));
        if (total > problems.Count)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p><a href=\"../{E(Paths.ProblemList(library))}\">All problems of {E(library)} →</a></p>\n");
        }

        b.Append("</section>\n");
    }

    /// <summary>A sortable problem table (link, title, counts, versions, dates, sparkline, badges, triage and issue), on a page one folder deep.</summary>
    private static string ProblemTable(string id, string caption, IReadOnlyList<ProblemRow> problems, (DateOnly From, DateOnly To)? range, bool zeroFill) =>
        Table(caption,
            ["problem", "title", "events", "runs", "versions", "first seen", "last seen", range is { } r0 ? $"events per day, {r0.From:yyyy-MM-dd} – {r0.To:yyyy-MM-dd}" : "events per day", "", "triage / issue"],
            problems.Select(p => new TableRow(ProblemRowAttributes(p),
            [
                $"{LevelBadge(p.Level)} <a href=\"../{E(p.Href)}\"><code class=\"wrap\">{E(Subject(p))}</code></a>", E(p.Title ?? ""), N(p.Events), N(p.RunsAffected),
                string.Join(", ", p.Versions.Select(v => $"<code class=\"ver\">{E(VersionText.Label(v))}</code>")), DateCell(p.FirstSeen), DateCell(p.LastSeen),
                range is { } r && p.Daily.Count > 0 ? Svg.Sparkline(p.Daily, r.From, r.To, zeroFill, $"events per day of {Subject(p)}") : "–",
                ProblemBadges(p), TrackingCell(p.Tracking),
            ])), Cols(2, 3), cards: false, id: id, sort: ["text", "text", "num", "num", null, "text", "text", null, null, "text"]);

    /// <summary>A library's full problem list, with the filter bar (search, level, version, triage) and sortable columns.</summary>
    public static RenderedPage ProblemList(ProblemList m)
    {
        var path = Paths.ProblemList(m.Library);
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<nav class=\"crumbs\"><a href=\"../index.html\">All libraries</a> › <a href=\"../{E(Paths.Library(m.Library))}\">{E(m.Library)}</a> › problems</nav>\n");
        b.Append(CultureInfo.InvariantCulture, $"<h1>Problems of {E(m.Library)}</h1>\n");
        b.Append("<p class=\"why\">Every warning and error problem, by runs affected. Click a column header to sort; search and filter by level, version and triage status.</p>\n");
        var versionOrder = m.Problems.SelectMany(p => p.Versions).Distinct().ToList();
        b.Append(ProblemFilters("problems", m.Problems, versionOrder));
        (DateOnly, DateOnly)? range = m.From is { } f && m.To is { } t ? (f, t) : null;
        b.Append(ProblemTable("problems", string.Create(CultureInfo.InvariantCulture, $"Problems by runs affected: showing {m.Problems.Count} of {m.Total}"),
            m.Problems, range, m.Site.Audience != SiteModelBuilder.Public));
        Hidden(b, m.Hidden, "problem(s)", m.Site);
        return new RenderedPage(path, Page(path, $"Problems of {m.Library}", m.Site, b.ToString(), charts: false, Paths.DataOf(path)), []);
    }

    private static void Stat(StringBuilder b, string label, string value) =>
        b.Append(CultureInfo.InvariantCulture, $"<div class=\"stat\"><span class=\"value\">{value}</span><span class=\"label\">{E(label)}</span></div>");

    private static void Hidden(StringBuilder b, long count, string what, SiteInfo site)
    {
        if (count > 0)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"hidden-note\">{N(count)} {E(what)} backed by fewer than {site.MinRunsPublic} runs not shown.</p>\n");
        }
    }
}
