using System.Globalization;
using System.Net;
using System.Text;
using Sentinel.Text;
using Sentinel.Aggregate;

namespace Sentinel.Dashboard;

/// <summary>HTML building blocks. Every text from the data goes through <see cref="E"/>.</summary>
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
            sb.Append(CultureInfo.InvariantCulture, $"<script src=\"{root}assets/site.js\"></script>\n");
        }

        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A responsive table: scrolls sideways inside its wrapper on a narrow screen.</summary>
    /// <param name="cards">Under 640 px, each row becomes a card whose cells are labelled by their headers (CSS only).</param>
    public static string Table(string caption, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? numeric = null,
        bool cards = false)
    {
        var sb = new StringBuilder();
        sb.Append(cards ? "<div class=\"table-wrap\"><table class=\"cards\">\n" : "<div class=\"table-wrap\"><table>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<caption>{E(caption)}</caption>\n<thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\"{(numeric?.Contains(i) == true ? " class=\"num\"" : "")}>{E(headers[i])}</th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            sb.Append("<tr>");
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

    public static IReadOnlySet<int> Cols(params int[] columns) => columns.ToHashSet();
}
