using System.Text.RegularExpressions;
using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>
/// Issue 17, home page: an attention queue (a new confirmed regression first, then failing, degraded, healthy,
/// insufficient data), each row about the newest version with enough runs against the one before it, with
/// sparklines drawn as inline SVG over one shared, zero-filled date range, and no Plotly on the page.
/// </summary>
public sealed partial class AttentionQueueTests(AttentionQueueTests.Fixture fixture, Browser browser)
    : IClassFixture<AttentionQueueTests.Fixture>, IClassFixture<Browser>
{
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDir _dir = new("sentinel-attention");

        public string Lake => _dir.Sub("lake");

        public string Site => _dir.Sub("site");

        public string PublicSite => _dir.Sub("public");

        private static readonly SyntheticEvent Ok = new("INFO");

        public async Task InitializeAsync()
        {
            var input = _dir.Sub("in");
            void Runs(string library, string version, int count, Func<int, bool> failed, int day0 = 0, string code = "E001", int offset = 0)
            {
                for (var i = 0; i < count; i++)
                {
                    SyntheticEvent[] events = failed(i) ? [Ok, new SyntheticEvent("ERROR", $"{library.ToUpperInvariant()}-{code}", "00000000000000e1")] : [Ok];
                    // Spread over days with gaps: day0, day0 + 3, day0 + 6 …
                    SyntheticBundle.Write(input, library, version, offset + i, events, day: day0 + (3 * (i % 4)));
                }
            }

            Runs("alpha", "1.0.0", 6, _ => false);
            Runs("alpha", "2.0.0", 6, _ => true, day0: 10, code: "E777", offset: 100); // new in 2.0.0, confirmed
            Runs("beta", "1.0.0", 5, i => i < 2);                                     // 60% error-free: failing
            Runs("gamma", "1.0.0", 20, i => i == 0);                                   // 95%: degraded
            Runs("delta", "1.0.0", 5, _ => false);                                     // healthy
            Runs("epsilon", "1.0.0", 2, _ => false);                                   // 2 runs: insufficient data
            Assert.Empty((await SentinelRunner.IngestAsync(Lake, input)).Quarantined);
            Aggregator.Run(new AggregateOptions(TestLake.At(Lake), new SentinelConfig(), Full: true));
            var config = new SentinelConfig();
            DashboardBuilder.Build(new DashboardOptions(TestLake.At(Lake), Site, SiteModelBuilder.Maintainers, config));
            foreach (var library in new[] { "alpha", "beta", "gamma", "delta", "epsilon" })
            {
                config.Libraries[library] = new LibraryConfig();
            }

            config.Privacy.MinRunsPublic = 2; // some days of alpha have 2 runs: the public charts show them and break elsewhere
            DashboardBuilder.Build(new DashboardOptions(TestLake.At(Lake), PublicSite, SiteModelBuilder.Public, config));
        }

        public Task DisposeAsync()
        {
            _dir.Dispose();
            return Task.CompletedTask;
        }
    }

    private string Home(string site) => File.ReadAllText(Path.Combine(site, "index.html"));

    [Fact]
    public void Libraries_are_listed_in_attention_order()
    {
        var rows = RowLibrary().Matches(Home(fixture.Site)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["alpha", "beta", "gamma", "delta", "epsilon"], rows);
        var s = Summaries.Load(TestLake.At(fixture.Lake));
        Assert.Equal(HealthState.Failing, s.Versions.Single(v => v.Library == "beta").Status);
        Assert.Equal(HealthState.Degraded, s.Versions.Single(v => v.Library == "gamma").Status);
        Assert.Equal(HealthState.InsufficientData, s.Versions.Single(v => v.Library == "epsilon").Status);
        Assert.Contains(s.Regressions, r => r.Library == "alpha" && r.Kind == RegressionKind.NewInVersion && r.Status == RegressionStatus.Confirmed && r.Version == "2.0.0");
    }

    [Fact]
    public void A_row_compares_the_newest_version_with_the_one_before_it()
    {
        var html = Home(fixture.Site);
        var alpha = html[html.IndexOf(">alpha</a>", StringComparison.Ordinal)..];
        alpha = alpha[..alpha.IndexOf("</tr>", StringComparison.Ordinal)];

        Assert.Contains("<code class=\"ver\">2.0.0</code>", alpha, StringComparison.Ordinal);
        Assert.Contains("new confirmed regression", alpha, StringComparison.Ordinal);
        // error-free 0% of 6 in 2.0.0, down from 100% of 6 in 1.0.0; crash-free unchanged (no CRITICAL)
        Assert.Contains("<div class=\"rate\">0.0% <span class=\"of\">of 6</span><div class=\"delta down\">↓ from 100.0% of 6 in <code class=\"ver\">1.0.0</code>", alpha, StringComparison.Ordinal);
        Assert.Contains("<div class=\"rate\">100.0% <span class=\"of\">of 6</span><div class=\"delta same\">→ from 100.0% of 6", alpha, StringComparison.Ordinal);
    }

    [Fact]
    public void Sparklines_are_inline_svg_over_one_zero_filled_range_and_the_home_page_loads_no_plotly()
    {
        var html = Home(fixture.Site);
        var sparks = Spark().Matches(html).Select(m => (From: m.Groups[1].Value, To: m.Groups[2].Value, Days: int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), Drawn: int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

        Assert.Equal(5, sparks.Count);
        Assert.Single(sparks.Select(s => (s.From, s.To)).Distinct());
        Assert.Equal(20, sparks[0].Days); // 2026-10-01 … 2026-10-20 (alpha 2.0.0 runs from day 10 to day 19)
        Assert.All(sparks, s => Assert.Equal(s.Days, s.Drawn)); // every day drawn, days without events at zero
        Assert.Contains("2026-10-01 – 2026-10-20", html, StringComparison.Ordinal);
        Assert.DoesNotContain("plotly", html, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(fixture.Site, "index.html")).Length + new FileInfo(Path.Combine(fixture.Site, "assets", "site.css")).Length < 300_000);

        // The public view coarsens instead of hiding: alpha's days and weeks have periods with one run (k = 2), so its
        // sparkline is drawn per month; every public point is a period of the library's public timeline (≥ k runs).
        var publicHome = Home(fixture.PublicSite);
        var publicSparks = SparkGrain().Matches(publicHome).ToDictionary(m => m.Groups[1].Value, m => (Grain: m.Groups[2].Value, Points: m.Groups[3].Value, Drawn: m.Groups[4].Value));
        Assert.Equal(5, publicSparks.Count);
        Assert.Equal(("month", "2", "1"), publicSparks["alpha"]); // September (the shared range starts with a week of 2026-09-28) and October
        Assert.All(publicSparks.Values, p => Assert.Contains(p.Grain, new[] { "day", "week", "month" }));
        Assert.Contains("events per period", publicHome, StringComparison.Ordinal);
    }

    private static System.Text.Json.JsonElement Figures(string site, string library)
    {
        var js = File.ReadAllText(Path.Combine(site, "charts", "libraries", library + ".js"));
        var json = js[(js.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim().TrimEnd(';');
        return System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
    }

    private static System.Text.Json.JsonElement Timeline(string site, string library) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "data", "libraries", library + ".json"))).RootElement.GetProperty("timeline").Clone();

    [Fact]
    public void Time_charts_share_one_stated_range_draw_quiet_days_and_the_public_view_coarsens_until_k()
    {
        // alpha's runs fall on days 0, 3, 6, 9 (1.0.0) and 10, 13, 16, 19 (2.0.0) from 2026-10-01: 20 days, 8 with runs
        // (enough for daily bins), 12 runs in all.
        var t = Timeline(fixture.Site, "alpha");
        Assert.Equal("day", t.GetProperty("grain").GetString());
        Assert.Equal("2026-10-01", t.GetProperty("from").GetString());
        Assert.Equal("2026-10-20", t.GetProperty("to").GetString());
        var bins = t.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal(20, bins.Count);                                              // every day of the range …
        Assert.Equal(12, bins.Count(b => b.GetProperty("runs").GetInt64() == 0));  // … quiet days included
        Assert.Equal(12, bins.Sum(b => b.GetProperty("runs").GetInt64()));
        Assert.Equal(12, t.GetProperty("adoption").EnumerateArray().Sum(a => a.GetProperty("runs").GetInt64()));

        var figures = Figures(fixture.Site, "alpha");
        var perRun = figures.GetProperty("per-run");
        var adoption = figures.GetProperty("adoption");
        // errors per run: 2.0.0's runs have one ERROR each, 1.0.0's none; a day without runs is a gap, not a zero
        var errors = perRun.GetProperty("data")[0].GetProperty("y").EnumerateArray().ToList();
        Assert.Equal(20, errors.Count);
        Assert.Equal(12, errors.Count(e => e.ValueKind == System.Text.Json.JsonValueKind.Null));
        Assert.Contains(errors, e => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.GetDouble() == 1);
        Assert.Contains(errors, e => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.GetDouble() == 0);
        // one date axis over the stated range, on both charts, with a marker where each version was first seen
        foreach (var fig in new[] { perRun, adoption })
        {
            var axis = fig.GetProperty("layout").GetProperty("xaxis");
            Assert.Equal("date", axis.GetProperty("type").GetString());
            Assert.Equal(["2026-10-01", "2026-10-21"], axis.GetProperty("range").EnumerateArray().Select(e => e.GetString()!).ToArray());
            Assert.Equal(["1.0.0", "2.0.0"], fig.GetProperty("layout").GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()!).ToArray());
            Assert.Equal(["2026-10-01", "2026-10-11"], fig.GetProperty("layout").GetProperty("shapes").EnumerateArray().Select(a => a.GetProperty("x0").GetString()!).ToArray());
        }

        Assert.Equal("stack", adoption.GetProperty("layout").GetProperty("barmode").GetString());
        var html = File.ReadAllText(Path.Combine(fixture.Site, "libraries", "alpha.html"));
        Assert.Contains("data-range-from=\"2026-10-01\" data-range-to=\"2026-10-20\" data-grain=\"day\">Per day, 2026-10-01 – 2026-10-20 (UTC)", html, StringComparison.Ordinal);

        // Public, k = 2: days 6, 9, 16 and 19 have one run, and so has the week of 2026-10-19: the view coarsens to
        // months, where October has all 12 runs. Nothing is hidden, nothing below k is published.
        var pub = Timeline(fixture.PublicSite, "alpha");
        Assert.Equal("month", pub.GetProperty("grain").GetString());
        Assert.True(pub.GetProperty("coarsened").GetBoolean());
        var publicBins = pub.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal([("2026-10-01", 12L)], publicBins.Select(b => (b.GetProperty("period").GetString()!, b.GetProperty("runs").GetInt64())).ToList());
        Assert.Equal(0, pub.GetProperty("bins_hidden").GetInt64());
        Assert.All(pub.GetProperty("adoption").EnumerateArray(), a => Assert.True(a.GetProperty("runs").GetInt64() >= 2));
        Assert.Contains("Public view: periods are months, the finest grain at which each period has at least 2 runs.",
            File.ReadAllText(Path.Combine(fixture.PublicSite, "libraries", "alpha.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_page_gives_each_version_its_interval_and_upgrade_advice()
    {
        var html = File.ReadAllText(Path.Combine(fixture.Site, "libraries", "alpha.html"));

        // 1.0.0: 6 of 6 error-free, 95% Wilson interval 61.0%–100.0%; 2.0.0: 0 of 6, 0.0%–39.0%.
        Assert.Contains("<span class=\"ci\">61.0%–100.0%</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"ci\">0.0%–39.0%</span>", html, StringComparison.Ordinal);
        Assert.Contains("<code class=\"ver\">2.0.0</code> vs <code class=\"ver\">1.0.0</code>: error-free 0.0% vs 100.0% over 6 / 6 runs: worse.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_say_how_many_they_show_and_findings_link_to_their_problem_pages()
    {
        var html = File.ReadAllText(Path.Combine(fixture.Site, "libraries", "alpha.html"));

        Assert.Contains("Top errors by runs affected: showing 1 of 1", html, StringComparison.Ordinal);
        Assert.Contains("Top warnings by runs affected: showing 0 of 0", html, StringComparison.Ordinal);
        // The new-in finding of ALPHA-E777 links to the problem's page, which exists.
        Assert.Contains("<a href=\"../problems/alpha/ALPHA-E777.html\"><code class=\"wrap\">ALPHA-E777</code></a>", html, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(fixture.Site, "problems", "alpha", "ALPHA-E777.html")));
        // and its row carries a sparkline over the page's range
        Assert.Matches("<svg class=\"spark\"[^>]*aria-label=\"events per day of ALPHA-E777\"", html);
    }

    [Fact]
    public void Environments_show_the_error_free_rate_of_each_python_version_and_platform()
    {
        var s = Summaries.Load(TestLake.At(fixture.Lake));
        var python = Assert.Single(s.Environments, e => e.Library == "gamma" && e.Dimension == "python_version");
        Assert.Equal(("3.11", 20L, 19L, 0.95), (python.Value, python.Runs, python.ErrorFreeRuns, python.ErrorFreeRate));

        var html = File.ReadAllText(Path.Combine(fixture.Site, "libraries", "gamma.html"));
        Assert.Contains("<td>python version</td><td><code>3.11</code></td><td class=\"num\">20</td><td class=\"num\">100.0%</td><td class=\"num\">95.0%</td>", html, StringComparison.Ordinal);

        // and the grouped-bar chart of the same rates: one group per Python version, one bar per library version
        var figure = Figures(fixture.Site, "gamma").GetProperty("env-python");
        Assert.Equal("group", figure.GetProperty("layout").GetProperty("barmode").GetString());
        Assert.Equal(["3.11"], figure.GetProperty("layout").GetProperty("xaxis").GetProperty("categoryarray").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var bar = Assert.Single(figure.GetProperty("data").EnumerateArray());
        Assert.Equal("1.0.0", bar.GetProperty("name").GetString());
        Assert.Equal(95.0, bar.GetProperty("y")[0].GetDouble());
        Assert.Equal("95%", bar.GetProperty("text")[0].GetString());
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task The_home_page_fits_the_screen_and_draws_its_sparklines_in_chromium(int width, int height)
    {
        foreach (var site in new[] { fixture.Site, fixture.PublicSite })
        {
            await using var visit = await browser.VisitAsync(Path.Combine(site, "index.html"), width, height);
            var overflow = await visit.EvalAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            var sparks = await visit.EvalAsync<int>("() => Array.from(document.querySelectorAll('svg.spark')).filter(s => s.getBoundingClientRect().width > 0).length");
            var h1 = await visit.EvalAsync<double>("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)");

            Assert.False(overflow, $"{site} overflows sideways at {width}px");
            Assert.True(sparks > 0, $"{site}: no sparkline drawn");
            Assert.True(h1 >= 18, $"{site}: h1 is {h1}px");
            Assert.Empty(visit.PageErrors);
            Assert.Empty(visit.FailedRequests);
        }
    }

    [GeneratedRegex("<tr[^>]*><td data-label=\"library\"><div class=\"v\"><a href=\"libraries/[^\"]+\">([a-z]+)</a>")]
    private static partial Regex RowLibrary();

    [GeneratedRegex("<svg class=\"spark\"[^>]*data-from=\"([0-9-]+)\" data-to=\"([0-9-]+)\" data-grain=\"day\" data-points=\"([0-9]+)\" data-drawn=\"([0-9]+)\"")]
    private static partial Regex Spark();

    [GeneratedRegex("<svg class=\"spark\"[^>]*aria-label=\"events per [a-z]+ for ([a-z]+),[^\"]*\"[^>]*data-grain=\"([a-z]+)\" data-points=\"([0-9]+)\" data-drawn=\"([0-9]+)\"")]
    private static partial Regex SparkGrain();
}
