using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Dashboard;

/// <param name="GeneratedAt">Shown in the footer when given; never taken from the clock, so the same lake gives the same bytes.</param>
public sealed record DashboardOptions(Lake Lake, string Out, string Audience, SentinelConfig Config, string? GeneratedAt = null);

/// <summary>What <c>sentinel dashboard</c> wrote (docs/cli.md, <c>--format json</c>).</summary>
public sealed record DashboardResult(
    string Out, string Audience, int Pages, int Libraries, int ProblemPages, long Bytes, long LargestPageDataBytes,
    bool Stale, double Seconds);

/// <summary>The site already in the output folder is not ours: it is never deleted.</summary>
public sealed class DashboardOutputException : Exception
{
    public DashboardOutputException(string message) : base(message) { }
    public DashboardOutputException() { }
    public DashboardOutputException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// <c>sentinel dashboard</c> (DESIGN §6): a static site from the summaries. plotly.js is shipped once as
/// <c>assets/plotly-basic.min.js</c> (the official basic bundle, vendored: no network is ever needed) and loaded
/// only by pages with charts (the home page's sparklines are inline SVG); each
/// page loads its figures from its own <c>charts/…js</c> (no inline script, strict CSP) and its numbers are
/// in <c>data/…json</c>. The site is built in a sibling folder and swapped in whole.
/// </summary>
public static class DashboardBuilder
{
    /// <summary>Marks a folder as a site this command wrote, so a rebuild may replace it.</summary>
    public const string Marker = ".sentinel-site";

    /// <summary>The plotly.js bundle the site ships (src/Sentinel.Dashboard/Vendor/plotly.js-basic-dist-min, pinned).</summary>
    public const string PlotlyFile = "plotly-basic.min.js";

    public const string PlotlyVersion = "plotly.js-basic-dist-min 4.1.1";

    private static readonly JsonSerializerOptions DataJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    // Figures are embedded in a script: the default encoder escapes <, >, &, quotes and non-ASCII.
    private static readonly JsonSerializerOptions ScriptJson = new() { Encoder = JavaScriptEncoder.Default, WriteIndented = false };

    public static DashboardResult Build(DashboardOptions o)
    {
        var clock = Stopwatch.StartNew();
        if (o.Audience is not (SiteModelBuilder.Public or SiteModelBuilder.Maintainers))
        {
            throw new ArgumentException($"audience must be '{SiteModelBuilder.Public}' or '{SiteModelBuilder.Maintainers}'", nameof(o));
        }

        var registry = new LibraryRegistry(o.Config);
        if (o.Audience == SiteModelBuilder.Public && !registry.Any)
        {
            throw new DashboardOutputException(
                "register libraries before publishing: the public site shows only the libraries this instance serves, " +
                "listed under `libraries:` in sentinel.yml (docs/privacy.md); the maintainers view needs none");
        }

        var summaries = Summaries.Load(o.Lake);
        var stale = HealthReport.IsStale(o.Lake, summaries.Meta);
        if (o.Audience == SiteModelBuilder.Public)
        {
            // Data stored before the registry (or before a library left it) never reaches the public site.
            summaries = summaries.Only(registry.Serves);
        }

        var proposals = new Triage.ProposalStore(o.Lake).Load();
        var approved = proposals.Where(p => p.Status == Triage.ProposalStatus.Approved).ToDictionary(p => p.Key, StringComparer.Ordinal);
        var docs = o.Config.Libraries.Where(l => l.Value.Docs is not null).ToDictionary(l => l.Key, l => l.Value.Docs!, StringComparer.Ordinal);
        var model = new SiteModelBuilder(summaries, o.Audience, o.Config.Privacy.MinRunsPublic, o.GeneratedAt, approved, docs, Tracking(o.Lake, proposals));

        var target = CheckTarget(o.Out);

        var staging = $"{target}.tmp-{Environment.ProcessId}";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        try
        {
            WriteAssets(staging);
            var pages = 0;
            var problemPages = 0;
            long largestData = 0;

            void Write(RenderedPage page, object data)
            {
                WriteText(staging, page.Path, page.Html);
                var json = JsonSerializer.Serialize(data, data.GetType(), DataJson) + "\n";
                largestData = Math.Max(largestData, Encoding.UTF8.GetByteCount(json));
                WriteText(staging, Paths.DataOf(page.Path), json);
                if (page.Figures.Count > 0)
                {
                    var figures = new JsonObject();
                    foreach (var (id, figure) in page.Figures)
                    {
                        figures[id] = figure;
                    }

                    WriteText(staging, Paths.ChartsOf(page.Path),
                        "window.SENTINEL_FIGURES = " + figures.ToJsonString(ScriptJson) + ";\n");
                }

                pages++;
            }

            var home = model.Home();
            Write(Pages.Home(home), home);
            foreach (var library in model.ShownLibraries)
            {
                var page = model.Library(library);
                Write(Pages.Library(page), page);
                var list = model.ProblemList(page);
                Write(Pages.ProblemList(list), list);
                foreach (var (summary, row) in model.ListedProblems(list))
                {
                    var problem = model.Problem(summary, row, page);
                    Write(Pages.Problem(problem), problem);
                    problemPages++;
                }
            }

            File.WriteAllText(Path.Combine(staging, Marker), "Written by `sentinel dashboard`; the next build replaces this folder.\n");
            Swap(staging, target);
            var bytes = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            return new DashboardResult(target, o.Audience, pages, home.Libraries.Count, problemPages, bytes, largestData, stale,
                Math.Round(clock.Elapsed.TotalSeconds, 3));
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    /// <summary>
    /// Each problem's triage status and filed issue, by proposal key (<c>library|problem|KEY</c>). An issue link is kept
    /// only when the ledger's URL is https (a ledger is our own file, but a link on a public page is checked anyway).
    /// </summary>
    private static Dictionary<string, ProblemTracking> Tracking(Lake lake, IReadOnlyList<Triage.Proposal> proposals)
    {
        var ledger = Issues.IssueLedger.Load(lake).Entries
            .Where(e => e.Status == Issues.LedgerStatus.Filed && e.Number is not null)
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Repo, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var tracking = new Dictionary<string, ProblemTracking>(StringComparer.Ordinal);
        foreach (var p in proposals.Where(p => p.Signal.Kind == "problem"))
        {
            var issue = ledger.GetValueOrDefault(Issues.IssueBody.Key(p));
            var url = issue?.Url is { } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme == Uri.UriSchemeHttps ? parsed.AbsoluteUri : null;
            tracking[p.Key] = new ProblemTracking(p.Status.Name(), issue?.Number, url, issue?.State?.Name());
        }

        return tracking;
    }

    /// <summary>The full output path, or a <see cref="DashboardOutputException"/> when it holds something that is not our site.</summary>
    public static string CheckTarget(string output)
    {
        var target = Path.GetFullPath(output);
        if (File.Exists(target)
            || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !File.Exists(Path.Combine(target, Marker))))
        {
            throw new DashboardOutputException($"{target}: not empty and not a site written by `sentinel dashboard`; refusing to replace it (choose another --out)");
        }

        return target;
    }

    private static void Swap(string staging, string target)
    {
        var old = $"{target}.old-{Environment.ProcessId}";
        if (Directory.Exists(target))
        {
            Directory.Move(target, old);
        }

        Directory.Move(staging, target);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static void WriteAssets(string root)
    {
        var dir = Path.Combine(root, "assets");
        Directory.CreateDirectory(dir);
        var own = typeof(DashboardBuilder).Assembly;
        Copy(own.GetManifestResourceStream("assets/site.css"), Path.Combine(dir, "site.css"));
        Copy(own.GetManifestResourceStream("assets/site.js"), Path.Combine(dir, "site.js"));
        Copy(own.GetManifestResourceStream("vendor/plotly-basic.min.js"), Path.Combine(dir, PlotlyFile));
        Copy(own.GetManifestResourceStream("vendor/plotly-basic.min.js.LICENSE.txt"), Path.Combine(dir, PlotlyFile + ".LICENSE.txt"));
    }

    private static void Copy(Stream? source, string path)
    {
        using var s = source ?? throw new InvalidOperationException($"embedded asset for {Path.GetFileName(path)} is missing from the build");
        using var d = File.Create(path);
        s.CopyTo(d);
    }

    private static void WriteText(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
