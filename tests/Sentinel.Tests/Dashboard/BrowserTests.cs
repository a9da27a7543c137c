using System.Text.Json;
using Sentinel.Dashboard;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>
/// The built dashboards in a real browser (Debian's headless Chromium through Playwright), opened as
/// file:// pages in a context that has no network: they load without errors, draw every chart, keep the
/// hostile catalog title inert and fit a phone screen.
/// <para>
/// Every page of both sites is visited once (a survey shared by the tests of this class: loading plotly
/// dominates a visit) and each test checks its part of what was seen; the layout test visits its few
/// pages at its own viewport. A test fails once, listing every problem with its page.
/// </para>
/// </summary>
public sealed class BrowserTests(DashboardFixture fixture, Browser browser) : IClassFixture<DashboardFixture>, IClassFixture<Browser>
{
    private const string InertScript = "<script>window.__pwned = 1</script>";

    /// <summary>What one page shows after load, read from the DOM in a single round trip.</summary>
    private const string DomProbe = """
        () => {
          const metas = document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]');
          const meta = metas[0];
          return {
            csp: {
              count: metas.length,
              content: meta ? meta.getAttribute('content') : null,
              inHead: !!meta && meta.parentElement === document.head,
              beforeResources: !!meta && Array.from(document.querySelectorAll('script, link, style'))
                .every(e => meta.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING),
            },
            figures: Array.from(document.querySelectorAll('[data-figure]')).map(e => ({
              id: e.getAttribute('data-figure'),
              rendered: e.getAttribute('data-rendered'),
              svg: e.querySelector('svg.main-svg') !== null,
            })),
            pwned: typeof window.__pwned,
            imgX: document.querySelectorAll('img[src="x"]').length,
            onerror: document.querySelectorAll('[onerror]').length,
            payloadScripts: Array.from(document.scripts).filter(s => s.textContent.includes('__pwned')).length,
            text: document.body ? document.body.innerText : '',
          };
        }
        """;

    private sealed record PageReport(
        string Label, string File, ConsoleEntry[] Console, string[] PageErrors, string[] Requests, string[] FailedRequests,
        bool FiguresSettled, JsonElement? Dom, string? DomError);

    private IEnumerable<(string Name, string Site)> Sites => [("maintainers", fixture.Site), ("public", fixture.PublicSite)];

    private static string Label(string name, string site, string file) => $"{name}/{Path.GetRelativePath(site, file).Replace('\\', '/')}";

    private static string HostileLibraryPage(string site) => Path.Combine(site, "libraries", Paths.Slug("hostile") + ".html");

    /// <summary>The problem page of the 120-character code in <paramref name="site"/>: exactly one.</summary>
    private static string LongCodeProblemPage(string site)
    {
        var dir = Path.Combine(site, "problems", Paths.Slug("hostile"));
        var pages = Directory.Exists(dir) ? Directory.GetFiles(dir, Paths.Slug(DashboardFixture.LongCode) + ".html") : [];
        Assert.True(pages.Length == 1, $"expected one problem page of the long code under {dir}, found {pages.Length}");
        return pages[0];
    }

    /// <summary>
    /// The pages surveyed: every home and library page, the hostile library's problem pages, and the first
    /// problem page of every other library. Problem pages share one template, and a visit costs ~0.5 s
    /// (plotly.js start-up), so visiting all of them would only slow the suite down.
    /// </summary>
    private IEnumerable<string> SurveyedPages(string site) =>
        fixture.Pages(site).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}problems{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            // Problem lists share one template: the hostile library's, and one other.
            .Concat(Directory.Exists(Path.Combine(site, "problems"))
                ? Directory.GetFiles(Path.Combine(site, "problems"), "*.html").Order(StringComparer.Ordinal)
                    .Where(f => Path.GetFileNameWithoutExtension(f) is "hostile" or "molsysmt")
                : [])
            .Concat(Directory.Exists(Path.Combine(site, "problems"))
                ? Directory.GetDirectories(Path.Combine(site, "problems")).Order(StringComparer.Ordinal)
                    .SelectMany(d => Path.GetFileName(d) == Paths.Slug("hostile")
                        ? Directory.GetFiles(d, "*.html").Order(StringComparer.Ordinal)
                        : Directory.GetFiles(d, "*.html").Order(StringComparer.Ordinal).Take(1))
                : []);

    /// <summary>The surveyed pages of both sites, visited once at 1280×900 per class.</summary>
    private Task<IReadOnlyList<PageReport>> SurveyAsync() => browser.OnceAsync("dashboard-survey", async () =>
    {
        var reports = new List<PageReport>();
        foreach (var (name, site) in Sites)
        {
            foreach (var file in SurveyedPages(site))
            {
                await using var visit = await browser.VisitAsync(file);
                JsonElement? dom = null;
                string? domError = null;
                try
                {
                    dom = (await visit.EvalAsync<JsonElement>(DomProbe)).Clone();
                }
                catch (Microsoft.Playwright.PlaywrightException e)
                {
                    domError = e.Message;
                }

                reports.Add(new PageReport(Label(name, site, file), file, [.. visit.Console], [.. visit.PageErrors], [.. visit.Requests],
                    [.. visit.FailedRequests], visit.FiguresSettled, dom, domError));
            }
        }

        return (IReadOnlyList<PageReport>)reports;
    });

    /// <summary>Runs <paramref name="check"/> on every surveyed page; fails once with every problem, each with its page.</summary>
    private async Task<IReadOnlyList<PageReport>> CheckEveryPageAsync(Func<PageReport, JsonElement, IEnumerable<string>> check)
    {
        var reports = await SurveyAsync();
        var failures = new List<string>();
        foreach (var r in reports)
        {
            if (r.Dom is not { } dom)
            {
                failures.Add($"{r.Label}: the DOM could not be read: {r.DomError}");
                continue;
            }

            failures.AddRange(check(r, dom).Select(p => $"{r.Label}: {p}"));
        }

        FailWith(failures, reports.Count);
        return reports;
    }

    private static void FailWith(IReadOnlyCollection<string> failures, int pages)
    {
        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} problem(s) in {pages} page(s):\n" + string.Join("\n", failures));
        }
    }

    [Fact]
    public async Task Every_page_loads_offline_with_no_console_error_no_page_error_only_file_requests_and_the_CSP_meta()
    {
        var reports = await CheckEveryPageAsync((r, dom) =>
        {
            var problems = new List<string>();
            problems.AddRange(r.Console.Where(m => m.Type is "error" or "warning" or "assert").Select(m => m.ToString()));
            problems.AddRange(r.PageErrors.Select(e => $"page error: {e}"));
            problems.AddRange(r.FailedRequests.Select(f => $"failed request: {f}"));
            problems.AddRange(r.Requests.Where(u => !u.StartsWith("file://", StringComparison.Ordinal)).Select(u => $"request leaves the machine: {u}"));
            if (!r.Requests.Any(u => u.EndsWith("/assets/site.css", StringComparison.Ordinal)))
            {
                problems.Add($"the stylesheet was never requested (requests: {string.Join(", ", r.Requests)})");
            }

            // One CSP meta, in <head>, before every script, stylesheet and style (a policy covers only what follows it).
            var csp = dom.GetProperty("csp");
            var count = csp.GetProperty("count").GetInt32();
            if (count != 1)
            {
                problems.Add($"expected one Content-Security-Policy meta tag, found {count}");
            }
            else
            {
                var content = csp.GetProperty("content").GetString();
                if (content != Html.ContentSecurityPolicy)
                {
                    problems.Add($"CSP meta content is \"{content}\", expected \"{Html.ContentSecurityPolicy}\"");
                }

                if (!csp.GetProperty("inHead").GetBoolean() || !csp.GetProperty("beforeResources").GetBoolean())
                {
                    problems.Add("the CSP meta tag is not in <head> before every script, stylesheet and style");
                }
            }

            return problems;
        });

        // Both sites were visited in full: index, library and problem pages.
        foreach (var (name, _) in Sites)
        {
            Assert.Contains(reports, r => r.Label == $"{name}/{Paths.Home}");
            Assert.Contains(reports, r => r.Label.StartsWith($"{name}/libraries/", StringComparison.Ordinal));
            Assert.Contains(reports, r => r.Label.StartsWith($"{name}/problems/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Every_figure_on_every_page_is_drawn_by_plotly()
    {
        var reports = await CheckEveryPageAsync((r, dom) =>
        {
            var problems = new List<string>();
            if (!r.FiguresSettled)
            {
                problems.Add("some [data-figure] element got no data-rendered attribute within the timeout");
            }

            foreach (var f in dom.GetProperty("figures").EnumerateArray())
            {
                var id = f.GetProperty("id").GetString();
                var rendered = f.GetProperty("rendered") is { ValueKind: JsonValueKind.String } v ? v.GetString() : "(none)";
                if (rendered != "1")
                {
                    problems.Add($"figure \"{id}\": data-rendered is {rendered}, expected 1");
                }

                if (!f.GetProperty("svg").GetBoolean())
                {
                    problems.Add($"figure \"{id}\": no svg.main-svg inside");
                }
            }

            return problems;
        });

        // Not vacuous: both sites draw charts on their library pages; the maintainers' site also the daily chart of
        // problem pages (the public site shows no per-day series). The home page draws its sparklines as inline SVG
        // and loads no Plotly (AttentionQueueTests).
        int Figures(string prefix) => reports.Where(r => r.Label.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(r => r.Dom!.Value.GetProperty("figures").GetArrayLength());
        Assert.Equal(0, Figures($"maintainers/{Paths.Home}"));
        Assert.True(Figures("maintainers/problems/") > 0, "no problem page of maintainers has a [data-figure] element");
        foreach (var (name, _) in Sites)
        {
            Assert.True(Figures($"{name}/libraries/") > 0, $"no library page of {name} has a [data-figure] element");
        }
    }

    [Fact]
    public async Task The_hostile_catalog_title_stays_inert_text()
    {
        // Where the title is shown: the library page of "hostile" and the problem page of the code it names.
        var shown = Sites.SelectMany(s => new[] { HostileLibraryPage(s.Site), LongCodeProblemPage(s.Site) })
            .Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);

        // Checked on every page (a payload that ran anywhere is a failure), the text where the title is shown.
        var reports = await CheckEveryPageAsync((r, dom) =>
        {
            var problems = new List<string>();
            if (dom.GetProperty("pwned").GetString() is var pwned and not "undefined")
            {
                problems.Add($"typeof window.__pwned is {pwned}: the title ran as script");
            }

            foreach (var (key, what) in new[] { ("imgX", "img[src=\"x\"]"), ("onerror", "[onerror]"), ("payloadScripts", "<script> carrying __pwned") })
            {
                if (dom.GetProperty(key).GetInt32() is var n and not 0)
                {
                    problems.Add($"{n} {what} element(s) in the DOM: the title was parsed as HTML");
                }
            }

            if (shown.Contains(Path.GetFullPath(r.File)) && !dom.GetProperty("text").GetString()!.Contains(InertScript, StringComparison.Ordinal))
            {
                problems.Add($"the visible text does not contain the literal {InertScript}");
            }

            return problems;
        });

        Assert.All(shown, f => Assert.Contains(reports, r => Path.GetFullPath(r.File) == f));
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1400, 900)]
    public async Task Every_page_type_fits_the_screen_in_both_audiences_and_shows_the_long_code_in_full(int width, int height)
    {
        // Each page type (home, library, problem list, problem) of both audiences. The home page lists libraries, not
        // problems: the long code is expected on the other three.
        var pages = Sites.SelectMany(s => new[]
        {
            (Label: Label(s.Name, s.Site, Path.Combine(s.Site, Paths.Home)), File: Path.Combine(s.Site, Paths.Home), Code: false),
            (Label: Label(s.Name, s.Site, HostileLibraryPage(s.Site)), File: HostileLibraryPage(s.Site), Code: true),
            (Label: Label(s.Name, s.Site, Path.Combine(s.Site, Paths.ProblemList("hostile"))), File: Path.Combine(s.Site, Paths.ProblemList("hostile")), Code: true),
            (Label: Label(s.Name, s.Site, LongCodeProblemPage(s.Site)), File: LongCodeProblemPage(s.Site), Code: true),
        }).ToList();

        var failures = new List<string>();
        foreach (var page in pages)
        {
            await using var visit = await browser.VisitAsync(page.File, width, height);
            var layout = await visit.EvalAsync<JsonElement>("""
                () => {
                  const limit = window.innerWidth + 1;
                  const culprits = Array.from(document.body.querySelectorAll('*'))
                    .filter(e => e.getBoundingClientRect().right > limit && !(e.parentElement && e.parentElement.closest('.table-wrap, [data-figure]')))
                    .slice(-3)
                    .map(e => '<' + e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? ' class="' + e.className + '"' : '') + '> in <'
                      + e.parentElement.tagName.toLowerCase() + '> right=' + Math.round(e.getBoundingClientRect().right) + ' "' + e.textContent.slice(0, 40) + '…"');
                  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits, text: document.body.innerText };
                }
                """);
            var scrollWidth = layout.GetProperty("scrollWidth").GetInt32();
            var innerWidth = layout.GetProperty("innerWidth").GetInt32();
            if (innerWidth != width)
            {
                failures.Add($"{page.Label}: innerWidth is {innerWidth}, the viewport asked for {width}");
            }

            if (scrollWidth > innerWidth + 1)
            {
                var culprits = string.Join("; ", layout.GetProperty("culprits").EnumerateArray().Select(c => c.GetString()));
                failures.Add($"{page.Label}: horizontal page overflow: scrollWidth {scrollWidth} > innerWidth {innerWidth} + 1 (innermost overflowing: {culprits})");
            }

            if (!visit.FiguresSettled || visit.PageErrors.Count > 0)
            {
                failures.Add($"{page.Label}: figures settled {visit.FiguresSettled}, page errors: {string.Join("; ", visit.PageErrors)}");
            }

            if (page.Code && !layout.GetProperty("text").GetString()!.Contains(DashboardFixture.LongCode, StringComparison.Ordinal))
            {
                failures.Add($"{page.Label}: the 120-character code {DashboardFixture.LongCode[..16]}… is not in the page text");
            }
        }

        FailWith(failures.Select(f => $"[{width}x{height}] {f}").ToList(), pages.Count);
    }

    [Fact]
    public async Task The_problem_list_sorts_filters_and_searches_in_chromium()
    {
        var file = Path.Combine(fixture.Site, Paths.ProblemList("molsysmt"));
        using var data = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Site, Paths.DataOf(Paths.ProblemList("molsysmt")))));
        var problems = data.RootElement.GetProperty("problems").EnumerateArray().ToList();
        Assert.True(problems.Count >= 5, "molsysmt should list several problems");
        var warnings = problems.Count(p => p.GetProperty("level").GetString() == "WARNING");
        var downloads = problems.Count(p => p.GetProperty("code").GetString()?.Contains("-DL-", StringComparison.Ordinal) == true);
        Assert.InRange(warnings, 1, problems.Count - 1);
        Assert.InRange(downloads, 1, problems.Count - 1);

        await using var visit = await browser.VisitAsync(file, 1400, 900);
        Assert.Empty(visit.PageErrors);
        const string Visible = "() => Array.from(document.querySelectorAll('#problems tbody tr')).filter(r => !r.hidden).length";
        const string Status = "() => document.querySelector('.filters .filter-status').textContent";
        Assert.Equal(problems.Count, await visit.EvalAsync<int>(Visible));
        Assert.Equal($"showing {problems.Count} of {problems.Count}", await visit.EvalAsync<string>(Status));
        Assert.False(await visit.EvalAsync<bool>("() => document.querySelector('.filters').hidden")); // shown by the script

        // search: the download problems (code contains "-DL-")
        await visit.Page.FillAsync(".filters input[data-filter=search]", "-dl-");
        Assert.Equal(downloads, await visit.EvalAsync<int>(Visible));
        Assert.Equal($"showing {downloads} of {problems.Count}", await visit.EvalAsync<string>(Status));

        // level filter, search cleared
        await visit.Page.FillAsync(".filters input[data-filter=search]", "");
        await visit.Page.SelectOptionAsync(".filters select[data-filter=level]", "WARNING");
        Assert.Equal(warnings, await visit.EvalAsync<int>(Visible));
        await visit.Page.SelectOptionAsync(".filters select[data-filter=level]", "");

        // sort by events: ascending, then descending on a second click
        const string Events = "() => Array.from(document.querySelectorAll('#problems tbody tr')).map(r => Number(r.cells[2].textContent.replace(/,/g, '')))";
        await visit.Page.ClickAsync("#problems th:text-is('events')");
        var ascending = await visit.EvalAsync<double[]>(Events);
        Assert.Equal(ascending.Order().ToArray(), ascending);
        Assert.Equal("ascending", await visit.EvalAsync<string>("() => document.querySelector('#problems th[aria-sort]').getAttribute('aria-sort')"));
        await visit.Page.ClickAsync("#problems th:text-is('events')");
        var descending = await visit.EvalAsync<double[]>(Events);
        Assert.Equal(descending.OrderDescending().ToArray(), descending);
        Assert.NotEqual(ascending, descending);
    }
}
