using System.Globalization;
using System.Net;
using System.Text;
using Sentinel.Text;
using Sentinel.Aggregate;

namespace Sentinel.Dashboard;

/// <summary>HTML building blocks. Every text from the data goes through <see cref="E"/>.</summary>
/// <summary>A table row: its attributes (escaped already, may be empty) and its cells (HTML).</summary>
internal readonly record struct TableRow(string Attributes, IReadOnlyList<string> Cells);

internal static class Html
{
    /// <summary>
    /// The policy of every page: scripts and styles only from the site itself (plotly.js needs inline
    /// style attributes), no network of any kind, no forms, no base-URI tricks.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>HTML-escaped, without control characters and bidi embeddings/overrides/isolates (they reorder what a reader sees).</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(Visible(text ?? ""));

    private static string Visible(string s) => s.Any(Hidden) ? new string([.. s.Where(c => !Hidden(c))]) : s;

    private static bool Hidden(char c) => c is not '\n' and not '\t' && HiddenChar.Is(c);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Pct(double? rate) => rate is null ? "–" : rate.Value.ToString("0.0%", CultureInfo.InvariantCulture);

    public static string Ms(double? ms) => ms is null ? "–" : ms.Value.ToString(ms.Value < 10 ? "0.###" : "0.#", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–";

    /// <summary>A date for a table cell: never broken across lines.</summary>
    public static string DateCell(DateTimeOffset? t) => $"<span class=\"date\">{Date(t)}</span>";

    public static string Class(string value) => new(value.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public static string StatusBadge(HealthState status) => $"<span class=\"badge status-{Class(status.Name())}\">{E(status.Name())}</span>";

    public static string LevelBadge(string level) => $"<span class=\"badge level-{Class(level)}\">{E(level)}</span>";

    public static string ProblemBadges(ProblemRow p)
    {
        var sb = new StringBuilder();
        if (p.NewInVersion is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span class=\"badge flag-new{(p.NewInStatus == "confirmed" ? "" : " suspected")}\" title=\"{E(p.NewInStatus)}\">{E(RegressionScope.Badge("new in", p.NewInVersion, p.NewInStatus))}</span> ");
        }

        if (p.FixedInVersion is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span class=\"badge flag-fixed{(p.FixedInStatus == "confirmed" ? "" : " suspected")}\" title=\"{E(p.FixedInStatus)}\">{E(RegressionScope.Badge("fixed in", p.FixedInVersion, p.FixedInStatus))}</span>");
        }

        return sb.ToString().TrimEnd();
    }

    public static string Subject(ProblemRow p) => ProblemSubject.Of(p.Code, p.ExceptionType, p.Source, p.TraceHash);

    public static string Chart(string id, string label, string css = "chart") =>
        $"<div class=\"{css}\" id=\"chart-{E(id)}\" data-figure=\"{E(id)}\" role=\"img\" aria-label=\"{E(label)}\"></div>";

    public static string Page(string page, string title, SiteInfo site, string body, bool charts, string? dataFile = null)
    {
        var root = Paths.Root(page);
        var sb = new StringBuilder();
        sb.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"Content-Security-Policy\" content=\"{ContentSecurityPolicy}\">\n");
        sb.Append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{E(title)} · SMonitor Sentinel</title>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<link rel=\"stylesheet\" href=\"{root}assets/site.css\">\n</head>\n<body>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<header class=\"top\"><a class=\"brand\" href=\"{root}index.html\">SMonitor Sentinel</a>");
        sb.Append(CultureInfo.InvariantCulture, $"<span class=\"audience\">{E(site.Audience)} view</span></header>\n<main>\n");
        sb.Append(body);
        sb.Append("</main>\n<footer>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{N(site.Bundles)} uploads · {N(site.Runs)} runs · {N(site.Events)} events · newest upload {Date(site.NewestUpload)}");
        if (site.GeneratedAt is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" · built {E(site.GeneratedAt)}");
        }

        sb.Append("</p>\n");
        if (site.Audience == SiteModelBuilder.Public)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p>Public view: numbers backed by fewer than {site.MinRunsPublic} distinct runs are folded or hidden, and each page says how many.</p>\n");
        }

        if (dataFile is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p>The numbers on this page: <a href=\"{root}{dataFile}\">{E(dataFile)}</a>.</p>\n");
        }

        sb.Append("</footer>\n");
        if (charts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<script src=\"{root}assets/{DashboardBuilder.PlotlyFile}\"></script>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<script src=\"{root}{Paths.ChartsOf(page)}\"></script>\n");
        }

        // Sorting, filtering and search (and drawing the figures, when there are any); a few KB, no Plotly.
        sb.Append(CultureInfo.InvariantCulture, $"<script src=\"{root}assets/site.js\"></script>\n");

        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A responsive table: scrolls sideways inside its wrapper on a narrow screen.</summary>
    /// <param name="cards">Under 640 px, each row becomes a card whose cells are labelled by their headers (CSS only).</param>
    public static string Table(string caption, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? numeric = null,
        bool cards = false) =>
        Table(caption, headers, rows.Select(r => new TableRow("", r)), numeric, cards);

    /// <summary>
    /// A table whose rows carry attributes (already escaped, e.g. <c>data-search</c> for assets/site.js), optionally
    /// sortable: <paramref name="sort"/> gives each column "num", "text" or null (not sortable), and
    /// <paramref name="id"/> lets a filter bar find it.
    /// </summary>
    public static string Table(string caption, IReadOnlyList<string> headers, IEnumerable<TableRow> rows, IReadOnlySet<int>? numeric,
        bool cards, string? id = null, IReadOnlyList<string?>? sort = null)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"table-wrap\"><table");
        if (cards)
        {
            sb.Append(" class=\"cards\"");
        }

        if (id is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" id=\"{E(id)}\"");
        }

        if (sort is not null)
        {
            sb.Append(" data-sortable");
        }

        sb.Append(CultureInfo.InvariantCulture, $">\n<caption>{E(caption)}</caption>\n<thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            var kind = sort is not null && i < sort.Count ? sort[i] : null;
            sb.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\"{(numeric?.Contains(i) == true ? " class=\"num\"" : "")}{(kind is null ? "" : $" data-sort=\"{kind}\"")}>{E(headers[i])}</th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        var any = false;
        foreach (var (attributes, row) in rows)
        {
            any = true;
            sb.Append(attributes.Length == 0 ? "<tr>" : $"<tr {attributes}>");
            for (var i = 0; i < row.Count; i++)
            {
                var label = cards && i < headers.Count ? $" data-label=\"{E(headers[i])}\"" : "";
                sb.Append(CultureInfo.InvariantCulture, $"<td{(numeric?.Contains(i) == true ? " class=\"num\"" : "")}{label}>{(cards ? $"<div class=\"v\">{row[i]}</div>" : row[i])}</td>");
            }

            sb.Append("</tr>\n");
        }

        if (!any)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"{headers.Count}\" class=\"empty\">Nothing to show.</td></tr>\n");
        }

        sb.Append("</tbody></table></div>\n");
        return sb.ToString();
    }

    /// <summary>
    /// A problem's triage status and filed issue, for lists: "triage: approved · #12 (open)"; the issue links to GitHub
    /// when its URL is https (checked when the site is built).
    /// </summary>
    public static string TrackingCell(ProblemTracking? t)
    {
        if (t is null)
        {
            return "<span class=\"tracking\">–</span>";
        }

        var sb = new StringBuilder("<span class=\"tracking\">");
        if (t.Triage is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span class=\"badge triage-{Class(t.Triage)}\">triage: {E(t.Triage)}</span>");
        }

        if (t.IssueNumber is { } n)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"#{n}{(t.IssueState is null ? "" : $" ({t.IssueState})")}");
            sb.Append(' ').Append(t.IssueUrl is null
                ? $"<span class=\"issue\">{E(text)}</span>"
                : $"<a class=\"issue\" href=\"{E(t.IssueUrl)}\" rel=\"noopener noreferrer\">{E(text)}</a>");
        }

        return sb.Append("</span>").ToString();
    }

    /// <summary>The attributes a problem row carries for the filter bar (lower-case search text, level, versions, triage).</summary>
    public static string ProblemRowAttributes(ProblemRow p) => string.Create(CultureInfo.InvariantCulture,
        $"data-search=\"{E(string.Join(' ', new[] { Subject(p), p.Code, p.Title, p.ExceptionType, p.Source }.Where(x => x is not null)).ToLowerInvariant())}\" data-level=\"{E(p.Level)}\" data-versions=\"{E(string.Join(' ', p.Versions))}\" data-triage=\"{E(p.Tracking?.Triage ?? "none")}\"");

    /// <summary>
    /// The filter bar of a problem table (hidden until assets/site.js shows it): a search box and level, version and
    /// triage selects, with a live count.
    /// </summary>
    public static string ProblemFilters(string tableId, IEnumerable<ProblemRow> problems, IReadOnlyList<string> versionOrder)
    {
        var list = problems.ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"filters\" data-table=\"{E(tableId)}\" hidden>");
        sb.Append(CultureInfo.InvariantCulture, $"<input type=\"search\" data-filter=\"search\" placeholder=\"Search code, title, exception, function\" aria-label=\"Search problems\">");
        void Select(string name, string all, IEnumerable<string> values, Func<string, string>? label = null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<select data-filter=\"{name}\" aria-label=\"{E(all)}\"><option value=\"\">{E(all)}</option>");
            foreach (var v in values)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(v)}\">{E(label?.Invoke(v) ?? v)}</option>");
            }

            sb.Append("</select>");
        }

        string[] levels = ["CRITICAL", "ERROR", "WARNING"];
        Select("level", "all levels", levels.Where(l => list.Any(p => p.Level == l)));
        var versions = list.SelectMany(p => p.Versions).ToHashSet(StringComparer.Ordinal);
        Select("versions", "all versions", versionOrder.Where(versions.Contains).Concat(versions.Where(v => !versionOrder.Contains(v)).Order(StringComparer.Ordinal)), VersionText.Label);
        Select("triage", "any triage", list.Select(p => p.Tracking?.Triage ?? "none").Distinct().Order(StringComparer.Ordinal));
        sb.Append("<span class=\"filter-status\" aria-live=\"polite\"></span></div>\n");
        return sb.ToString();
    }

    public static IReadOnlySet<int> Cols(params int[] columns) => columns.ToHashSet();
}
