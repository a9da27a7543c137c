using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sentinel.Text;
using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

public sealed partial class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static JsonDocument Json(string site, string relative) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(site, relative)));

    // Upload and approval times are the wall clock of the test run; everything else derives from the corpus.
    [GeneratedRegex("\"(newest_upload|last_received|approved_at)\": \"[^\"]*\"")]
    private static partial Regex UploadTime();

    private static string Normalise(string json) => UploadTime().Replace(json, "\"$1\": \"<upload time>\"");

    [Fact]
    public void The_same_lake_gives_a_byte_identical_site()
    {
        using var dir = new TempDir();
        var again = DashboardBuilder.Build(new DashboardOptions(TestLake.At(fixture.Lake), dir.Sub("again"), SiteModelBuilder.Maintainers, new SentinelConfig()));
        var first = Directory.EnumerateFiles(fixture.Site, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fixture.Site, f)).Order(StringComparer.Ordinal).ToList();
        var second = Directory.EnumerateFiles(again.Out, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again.Out, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(first, second);
        foreach (var file in first)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(fixture.Site, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(again.Out, file))), file);
        }
    }

    [Fact]
    public void Data_files_match_their_golden_copies()
    {
        Golden.Verify("dashboard-data-index.json", Normalise(File.ReadAllText(Path.Combine(fixture.Site, "data/index.json"))));
        Golden.Verify("dashboard-data-molsysmt.json", Normalise(File.ReadAllText(Path.Combine(fixture.Site, "data/libraries/molsysmt.json"))));
        var problem = Directory.EnumerateFiles(Path.Combine(fixture.Site, "data/problems/molsysmt"), "MSM-ERR-MEM-001.json").Single();
        Golden.Verify("dashboard-data-problem.json", Normalise(File.ReadAllText(problem)));
    }

    [Fact]
    public void Every_page_has_its_data_its_charts_and_the_policy()
    {
        foreach (var page in fixture.Pages(fixture.Site))
        {
            var relative = Path.GetRelativePath(fixture.Site, page).Replace('\\', '/');
            var html = File.ReadAllText(page);
            Assert.Contains("http-equiv=\"Content-Security-Policy\"", html, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(fixture.Site, Paths.DataOf(relative))), relative);
            Assert.DoesNotContain("<script>", html, StringComparison.Ordinal); // no inline script anywhere
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            foreach (Match m in DataFigure().Matches(html))
            {
                var charts = File.ReadAllText(Path.Combine(fixture.Site, Paths.ChartsOf(relative)));
                Assert.Contains($"\"{m.Groups[1].Value}\":", charts, StringComparison.Ordinal);
            }
        }

        // plotly.js is shipped once, as an asset, and referenced (never inlined) by each page with charts.
        Assert.Single(Directory.EnumerateFiles(fixture.Site, "plotly*.js", SearchOption.AllDirectories));
        Assert.True(new FileInfo(Path.Combine(fixture.Site, "assets/plotly-basic.min.js")).Length > 1_000_000);
        Assert.All(Directory.EnumerateFiles(Path.Combine(fixture.Site, "charts"), "*.js", SearchOption.AllDirectories),
            f => Assert.True(new FileInfo(f).Length < 300_000, f));
    }

    [GeneratedRegex("data-figure=\"([^\"]+)\"")]
    private static partial Regex DataFigure();

    [Fact]
    public void Untrusted_text_is_escaped_in_pages_and_chart_scripts()
    {
        var library = File.ReadAllText(Path.Combine(fixture.Site, "libraries/hostile.html"));
        Assert.Contains("&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;", library, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", library, StringComparison.Ordinal);
        Assert.Contains(DashboardFixture.LongCode, library, StringComparison.Ordinal);
        foreach (var script in Directory.EnumerateFiles(Path.Combine(fixture.Site, "charts"), "*.js", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(script);
            Assert.DoesNotContain("</script", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void No_planted_secret_appears_anywhere_in_either_site()
    {
        foreach (var site in new[] { fixture.Site, fixture.PublicSite })
        {
            foreach (var file in Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("plotly-basic.min.js", StringComparison.Ordinal)))
            {
                var text = File.ReadAllText(file);
                foreach (var secret in Corpus.PlantedSecrets)
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{file} contains a planted secret");
                }
            }
        }
    }

    [Fact]
    public void The_public_site_shows_no_number_backed_by_fewer_runs_than_the_threshold()
    {
        const int k = DashboardFixture.PublicK;
        using var lake = new LakeReader(fixture.Lake);
        Dictionary<string, long> Runs(string sql) => lake.Rows(sql).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        var libraryRuns = Runs("SELECT library, count(DISTINCT run_key) FROM (SELECT library, run_key FROM events UNION ALL SELECT library, run_key FROM performance) GROUP BY 1");
        var versionRuns = Runs("SELECT library || '|' || version, count(DISTINCT run_key) FROM (SELECT library, version, run_key FROM events UNION ALL SELECT library, version, run_key FROM performance) GROUP BY 1");
        var trendRuns = Runs("SELECT library || '|' || CAST(timezone('UTC', \"timestamp\") AS DATE)::VARCHAR || '|' || level, count(DISTINCT run_key) FROM events GROUP BY 1");
        var problemRuns = Runs("SELECT library || '|' || coalesce(code, '') || '|' || trace_hash, count(DISTINCT run_key) FROM events GROUP BY 1");
        var perfRuns = Runs("SELECT library || '|' || function || '|' || version, count(DISTINCT run_key) FROM performance WHERE \"count\" >= 5 GROUP BY 1");

        using var index = Json(fixture.PublicSite, "data/index.json");
        var shown = index.RootElement.GetProperty("libraries").EnumerateArray().Select(l => l.GetProperty("library").GetString()!).ToList();
        Assert.Equal(libraryRuns.Where(kv => kv.Value >= k).Select(kv => kv.Key).Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        Assert.Equal(libraryRuns.Count(kv => kv.Value < k), index.RootElement.GetProperty("site").GetProperty("libraries_hidden").GetInt64());
        Assert.Contains("hostile", shown);

        var checkedNumbers = 0;
        foreach (var library in shown)
        {
            using var page = Json(fixture.PublicSite, $"data/libraries/{library}.json");
            var root = page.RootElement;
            foreach (var v in root.GetProperty("versions").EnumerateArray())
            {
                Assert.True(versionRuns[$"{library}|{v.GetProperty("version").GetString()}"] >= k);
                checkedNumbers++;
            }

            foreach (var t in root.GetProperty("trends").EnumerateArray())
            {
                Assert.True(trendRuns[$"{library}|{t.GetProperty("day").GetString()}|{t.GetProperty("level").GetString()}"] >= k);
                checkedNumbers++;
            }

            foreach (var p in root.GetProperty("top_errors").EnumerateArray().Concat(root.GetProperty("top_warnings").EnumerateArray()))
            {
                var code = p.GetProperty("code").ValueKind == JsonValueKind.Null ? "" : p.GetProperty("code").GetString();
                Assert.True(problemRuns[$"{library}|{code}|{p.GetProperty("trace_hash").GetString()}"] >= k);
                checkedNumbers++;
            }

            foreach (var p in root.GetProperty("performance").EnumerateArray())
            {
                Assert.True(perfRuns[$"{library}|{p.GetProperty("function").GetString()}|{p.GetProperty("version").GetString()}"] >= k);
                checkedNumbers++;
            }

            Assert.All(root.GetProperty("environments").EnumerateArray(), e => Assert.True(e.GetProperty("runs").GetInt64() >= k));

            // The timeline: each period's and each version × period's runs, counted here from the lake at the page's grain.
            if (root.GetProperty("timeline").ValueKind != JsonValueKind.Null)
            {
                var timeline = root.GetProperty("timeline");
                var grain = timeline.GetProperty("grain").GetString()!;
                Assert.Contains(grain, new[] { "day", "week", "month" });
                var period = $"CAST(date_trunc('{grain}', CAST(timezone('UTC', \"timestamp\") AS DATE)) AS DATE)";
                var periodRuns = Runs($"SELECT coalesce(version, '*') || '|' || {period}::VARCHAR, count(DISTINCT run_key) FROM events " +
                    $"WHERE library = '{library.Replace("'", "''", StringComparison.Ordinal)}' GROUP BY GROUPING SETS ((version, {period}), ({period}))");
                foreach (var bin in timeline.GetProperty("bins").EnumerateArray())
                {
                    Assert.Equal(periodRuns[$"*|{bin.GetProperty("period").GetString()}"], bin.GetProperty("runs").GetInt64());
                    Assert.True(bin.GetProperty("runs").GetInt64() >= k);
                    checkedNumbers++;
                }

                foreach (var cell in timeline.GetProperty("adoption").EnumerateArray())
                {
                    Assert.Equal(periodRuns[$"{cell.GetProperty("version").GetString()}|{cell.GetProperty("period").GetString()}"], cell.GetProperty("runs").GetInt64());
                    Assert.True(cell.GetProperty("runs").GetInt64() >= k);
                    checkedNumbers++;
                }

                // A period's total minus its cells shown never reveals between 1 and k − 1 runs of the cells left out.
                foreach (var bin in timeline.GetProperty("bins").EnumerateArray())
                {
                    var start = bin.GetProperty("period").GetString();
                    var rest = bin.GetProperty("runs").GetInt64() - timeline.GetProperty("adoption").EnumerateArray()
                        .Where(c => c.GetProperty("period").GetString() == start).Sum(c => c.GetProperty("runs").GetInt64());
                    Assert.False(rest is > 0 and < k, $"{library} {start}: {rest} run(s) of hidden cells derivable");
                }
            }
            Assert.All(root.GetProperty("regressions").EnumerateArray(),
                r => Assert.True(r.GetProperty("runs_before").GetInt64() >= k && r.GetProperty("runs_after").GetInt64() >= k));
        }

        // Problem pages: where a problem happens, by version (counted here from the lake for coded problems), Python version
        // and platform; no row below k.
        var codeVersionRuns = Runs("SELECT library || '|' || code || '|' || version, count(DISTINCT run_key) FROM events WHERE code IS NOT NULL GROUP BY 1");
        var spreadRows = 0;
        foreach (var file in Directory.EnumerateDirectories(Path.Combine(fixture.PublicSite, "data", "problems")).SelectMany(d => Directory.EnumerateFiles(d, "*.json")))
        {
            using var problem = Json(fixture.PublicSite, Path.GetRelativePath(fixture.PublicSite, file));
            var library = problem.RootElement.GetProperty("library").GetString()!;
            var code = problem.RootElement.GetProperty("problem").GetProperty("code");
            var runsAffected = problem.RootElement.GetProperty("problem").GetProperty("runs_affected").GetInt64();
            foreach (var dimension in problem.RootElement.GetProperty("spread").EnumerateArray().GroupBy(r => r.GetProperty("dimension").GetString()))
            {
                var rest = runsAffected - dimension.Sum(r => r.GetProperty("runs").GetInt64());
                Assert.False(rest is > 0 and < k, $"{file} {dimension.Key}: {rest} run(s) of hidden rows derivable");
            }

            foreach (var row in problem.RootElement.GetProperty("spread").EnumerateArray())
            {
                Assert.True(row.GetProperty("runs").GetInt64() >= k, file);
                if (code.ValueKind == JsonValueKind.String && row.GetProperty("dimension").GetString() == "version")
                {
                    Assert.Equal(codeVersionRuns[$"{library}|{code.GetString()}|{row.GetProperty("value").GetString()}"], row.GetProperty("runs").GetInt64());
                }

                spreadRows++;
            }
        }

        Assert.True(spreadRows > 0, "some public problem page should show where it happens");

        // Full problem lists: every row backed by k runs, each with its page.
        foreach (var library in shown)
        {
            using var list = Json(fixture.PublicSite, Paths.DataOf(Paths.ProblemList(library)));
            foreach (var row in list.RootElement.GetProperty("problems").EnumerateArray())
            {
                Assert.True(row.GetProperty("runs_affected").GetInt64() >= k);
                Assert.True(File.Exists(Path.Combine(fixture.PublicSite, row.GetProperty("href").GetString()!)));
                checkedNumbers++;
            }
        }
        Assert.True(checkedNumbers > 10, "the public site should still show something at this threshold");

        // The maintainers site shows what the public one hid, and the public pages say they hid it.
        var thin = versionRuns.Where(kv => kv.Value < k && libraryRuns[kv.Key.Split('|')[0]] >= k).Select(kv => kv.Key.Split('|')).First();
        using var all = Json(fixture.Site, $"data/libraries/{thin[0]}.json");
        using var pub = Json(fixture.PublicSite, $"data/libraries/{thin[0]}.json");
        Assert.Contains(all.RootElement.GetProperty("versions").EnumerateArray(), v => v.GetProperty("version").GetString() == thin[1]);
        Assert.DoesNotContain(pub.RootElement.GetProperty("versions").EnumerateArray(), v => v.GetProperty("version").GetString() == thin[1]);
        Assert.True(pub.RootElement.GetProperty("hidden").GetProperty("versions").GetInt64() > 0);
        Assert.Contains($"fewer than {k}", File.ReadAllText(Path.Combine(fixture.PublicSite, $"libraries/{thin[0]}.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_public_site_cannot_be_differenced_or_timed_and_names_no_hidden_problem()
    {
        const int k = DashboardFixture.PublicK;
        var summaries = Sentinel.Aggregate.Summaries.Load(TestLake.At(fixture.Lake));
        using var index = Json(fixture.PublicSite, "data/index.json");
        var site = index.RootElement.GetProperty("site");
        var shown = summaries.Libraries.Where(l => l.Runs >= k).ToList();

        // Totals are over the shown libraries: the lake's totals minus them would be the hidden libraries' counts.
        Assert.Equal(shown.Sum(l => l.Events), site.GetProperty("events").GetInt64());
        Assert.Equal(shown.Sum(l => l.Runs), site.GetProperty("runs").GetInt64());

        // Every time the public sees is a day.
        var times = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(fixture.PublicSite, "data"), "*.json", SearchOption.AllDirectories))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var (name, value) in Properties(doc.RootElement))
            {
                if (name is "first_seen" or "last_seen" or "last_received" or "newest_upload" && value.ValueKind == JsonValueKind.String)
                {
                    Assert.Equal(TimeSpan.Zero, value.GetDateTimeOffset().UtcDateTime.TimeOfDay);
                    times++;
                }

                // No per-problem platform or Python list (no run count per value to threshold it).
                if (name is "platforms" or "python_versions")
                {
                    Assert.Equal(0, value.GetArrayLength());
                }
            }
        }

        Assert.True(times > 10);
        using var maintainers = Json(fixture.Site, "data/index.json");
        Assert.Contains(Properties(maintainers.RootElement), p => p.Name == "last_received" && p.Value.ValueKind == JsonValueKind.String
            && p.Value.GetDateTimeOffset().UtcDateTime.TimeOfDay != TimeSpan.Zero);

        // A problem regression is public only when its problem is, and says no per-version count ("1 of 5 runs").
        foreach (var library in shown.Select(l => l.Library))
        {
            using var page = Json(fixture.PublicSite, $"data/libraries/{library}.json");
            foreach (var r in page.RootElement.GetProperty("regressions").EnumerateArray().Where(r => r.GetProperty("kind").GetString() != "performance"))
            {
                Assert.DoesNotMatch(@"\d+ of \d+", r.GetProperty("reason").GetString()!);
                var subject = r.GetProperty("subject").GetString();
                Assert.Contains(summaries.Problems, p => p.Library == library && (p.Code ?? $"trace {p.TraceHash}") == subject && p.RunsAffected >= k);
            }
        }

        Assert.Contains(summaries.Regressions, r => r.Kind != RegressionKind.Performance && r.RunsBefore >= k && r.RunsAfter >= k
            && summaries.Problems.Any(p => p.Library == r.Library && p.Code == r.Code && p.TraceHash == r.TraceHash && p.RunsAffected < k));
    }

    private static IEnumerable<(string Name, JsonElement Value)> Properties(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Properties(p.Value).Prepend((p.Name, p.Value))),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Properties),
        _ => [],
    };

    [Fact]
    public void Pages_and_their_data_stay_small()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(fixture.Site, "data"), "*.json", SearchOption.AllDirectories))
        {
            Assert.True(new FileInfo(file).Length <= 300 * 1024, file);
        }

        Assert.True(fixture.Maintainers.LargestPageDataBytes <= 300 * 1024);
        Assert.Equal(fixture.Pages(fixture.Site).Count(), fixture.Maintainers.Pages);
    }

    [Fact]
    public void A_folder_that_is_not_a_site_is_never_replaced()
    {
        using var dir = new TempDir();
        var mine = dir.Sub("mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "thesis.tex"), "precious");
        var e = Assert.Throws<DashboardOutputException>(() =>
            DashboardBuilder.Build(new DashboardOptions(TestLake.At(fixture.Lake), mine, SiteModelBuilder.Maintainers, new SentinelConfig())));
        Assert.Contains("refusing", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(mine, "thesis.tex")));
        Assert.DoesNotContain(Directory.EnumerateDirectories(dir.Path), d => Path.GetFileName(d).StartsWith("mine.", StringComparison.Ordinal));
    }

    [Fact]
    public void Cli_builds_the_site_and_reports_it_as_json()
    {
        using var dir = new TempDir();
        var unregistered = SentinelRunner.Cli(dir.Path, "dashboard", "--lake", fixture.Lake, "--out", dir.Sub("site"), "--audience", "public");
        Assert.Equal(1, unregistered.ExitCode);
        Assert.Contains("register libraries before publishing", unregistered.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("site")));

        File.WriteAllText(Path.Combine(dir.Path, "sentinel.yml"), "libraries:\n  molsysmt: {}\n  topomt:\n    namespaces: [topomt]\n");
        var r = SentinelRunner.Cli(dir.Path, "dashboard", "--lake", fixture.Lake, "--out", dir.Sub("site"), "--audience", "public",
            "--generated-at", "2026-11-25T00:00:00Z", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        // Only the registered libraries are published, although the lake holds more.
        var index = File.ReadAllText(Path.Combine(dir.Sub("site"), "data", "index.json"));
        Assert.Contains("\"molsysmt\"", index, StringComparison.Ordinal);
        Assert.DoesNotContain("cryoflux", index, StringComparison.Ordinal);
        Assert.DoesNotContain("argdigest", index, StringComparison.Ordinal);
        Assert.All(Directory.GetFiles(Path.Combine(dir.Sub("site"), "libraries")).Select(Path.GetFileName),
            page => Assert.Contains(page, new[] { "molsysmt.html", "topomt.html" }));
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("public", doc.RootElement.GetProperty("audience").GetString());
        Assert.True(doc.RootElement.GetProperty("pages").GetInt32() >= 1);
        Assert.Contains("built 2026-11-25T00:00:00Z", File.ReadAllText(Path.Combine(dir.Sub("site"), "index.html")), StringComparison.Ordinal);

        var missing = SentinelRunner.Cli(null, "dashboard", "--lake", dir.Sub("nolake"), "--out", dir.Sub("x"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("sentinel aggregate", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approved_triage_verdict_shows_on_its_problem_page_and_the_public_one_hides_who()
    {
        var page = Directory.EnumerateFiles(Path.Combine(fixture.Site, "problems/molsysmt"), "MSM-ERR-MEM-001.html").Single();
        var html = File.ReadAllText(page);
        Assert.Contains("Approved triage verdict (heuristic, regression introduced)", html, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(fixture.Approved.Heuristic.SuggestedFix), html, StringComparison.Ordinal);
        Assert.Contains("by maintainer-x: tracked upstream", html, StringComparison.Ordinal);

        var other = Directory.EnumerateFiles(Path.Combine(fixture.Site, "problems/molsysmt"), "*.html").First(f => !f.Contains("MSM-ERR-MEM-001", StringComparison.Ordinal));
        Assert.Contains("No approved triage verdict yet.", File.ReadAllText(other), StringComparison.Ordinal);

        var publicPages = Path.Combine(fixture.PublicSite, "problems/molsysmt");
        foreach (var file in Directory.Exists(publicPages) ? Directory.EnumerateFiles(publicPages, "*") : [])
        {
            Assert.DoesNotContain("maintainer-x", File.ReadAllText(file), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("maintainer-x", File.ReadAllText(Path.Combine(fixture.PublicSite, "data/index.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Home_lists_every_library_with_its_latest_status()
    {
        var summaries = Summaries.Load(TestLake.At(fixture.Lake));
        using var index = Json(fixture.Site, "data/index.json");
        var cards = index.RootElement.GetProperty("libraries").EnumerateArray().ToList();
        Assert.Equal(summaries.Libraries.Select(l => l.Library).Order(StringComparer.Ordinal), cards.Select(c => c.GetProperty("library").GetString()!).Order(StringComparer.Ordinal));
        // In attention order (AttentionQueueTests checks the order itself on a lake built for it).
        var ranks = cards.Select(c => c.GetProperty("attention_rank").GetInt32()).ToList();
        Assert.Equal(ranks.Order(), ranks);
        foreach (var card in cards)
        {
            var library = summaries.Libraries.Single(l => l.Library == card.GetProperty("library").GetString());
            Assert.Equal(library.LatestVersion, card.GetProperty("latest_version").GetString());
            // The status is that of the version the row is about: the newest with a verdict, else the latest.
            var shown = card.GetProperty("shown").ValueKind == JsonValueKind.Null ? library.LatestVersion : card.GetProperty("shown").GetProperty("version").GetString();
            var status = shown == library.LatestVersion ? library.LatestStatus : summaries.Versions.Single(v => v.Library == library.Library && v.Version == shown).Status;
            Assert.Equal(status.Name(), card.GetProperty("status").GetString());
            Assert.Equal(SiteModelBuilder.AttentionOrder[card.GetProperty("attention_rank").GetInt32()], card.GetProperty("attention").GetString());
            Assert.True(File.Exists(Path.Combine(fixture.Site, card.GetProperty("href").GetString()!)));
        }
    }

    [Fact]
    public void Problem_lists_show_triage_status_and_link_the_filed_issue()
    {
        // A copy of the fixture's lake (its one approved proposal is molsysmt's MSM-ERR-MEM-001), with that problem's issue
        // filed as #7, and an issue whose ledger URL is not https (linked as text only).
        using var dir = new TempDir("sentinel-tracking");
        var lake = dir.Sub("lake");
        foreach (var file in Directory.EnumerateFiles(fixture.Lake, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(lake, Path.GetRelativePath(fixture.Lake, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var proposals = new Sentinel.Triage.ProposalStore(TestLake.At(lake)).Load();
        var pending = proposals.First(p => p.Status == Sentinel.Triage.ProposalStatus.Pending && p.Signal.Kind == "problem" && p.Library == "molsysmt");
        var ledger = Sentinel.Issues.IssueLedger.Load(TestLake.At(lake));
        var at = DateTimeOffset.Parse("2026-11-30T00:00:00Z", CultureInfo.InvariantCulture);
        ledger.Put(new Sentinel.Issues.LedgerEntry("owner/molsysmt", Sentinel.Issues.IssueBody.Key(fixture.Approved), Sentinel.Issues.LedgerStatus.Filed, 7,
            "https://github.com/owner/molsysmt/issues/7", Sentinel.Issues.IssueState.Open, "1.0.0rc1", 3, at, at, at));
        ledger.Put(new Sentinel.Issues.LedgerEntry("owner/molsysmt", Sentinel.Issues.IssueBody.Key(pending), Sentinel.Issues.LedgerStatus.Filed, 8,
            "http://127.0.0.1:9/owner/molsysmt/issues/8", Sentinel.Issues.IssueState.Closed, "0.10.1", 3, at, at, at));
        var site = dir.Sub("site");
        DashboardBuilder.Build(new DashboardOptions(TestLake.At(lake), site, SiteModelBuilder.Maintainers, new Sentinel.Config.SentinelConfig()));

        var list = File.ReadAllText(Path.Combine(site, Paths.ProblemList("molsysmt")));
        var approvedRow = RowOf(list, fixture.Approved.Signal.Code!);
        Assert.Contains("triage: approved", approvedRow, StringComparison.Ordinal);
        Assert.Contains("<a class=\"issue\" href=\"https://github.com/owner/molsysmt/issues/7\" rel=\"noopener noreferrer\">#7 (open)</a>", approvedRow, StringComparison.Ordinal);
        var pendingRow = RowOf(list, pending.Signal.ProblemKey ?? pending.Signal.Code!);
        Assert.Contains("triage: pending", pendingRow, StringComparison.Ordinal);
        Assert.Contains("<span class=\"issue\">#8 (closed)</span>", pendingRow, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", list, StringComparison.Ordinal);
        // the library page's top lists carry the same column
        Assert.Contains("#7 (open)</a>", File.ReadAllText(Path.Combine(site, Paths.Library("molsysmt"))), StringComparison.Ordinal);
    }

    private static string RowOf(string html, string code)
    {
        var at = html.IndexOf($">{code}</code></a>", StringComparison.Ordinal);
        Assert.True(at > 0, $"no row for {code}");
        var start = html.LastIndexOf("<tr", at, StringComparison.Ordinal);
        return html[start..html.IndexOf("</tr>", at, StringComparison.Ordinal)];
    }
}
