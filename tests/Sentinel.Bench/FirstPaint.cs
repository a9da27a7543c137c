using System.Globalization;
using Microsoft.Playwright;

namespace Sentinel.Bench;

/// <summary>One page type's figures: medians over the runs of first contentful paint, load event and bytes fetched.</summary>
public sealed record PaintRow(string Page, int Width, double FcpMs, double LoadMs, double ChartsMs, long Bytes);

/// <summary>
/// <c>sentinel-bench first-paint</c>: opens pages of a built site in headless Chromium (Debian's, offline) with a cold
/// cache each time (a fresh browser context per visit) and reads first contentful paint, the load event and the
/// moment every <c>[data-figure]</c> is drawn from the page itself (Performance API). Issue 17's page-weight goal:
/// first paint ≤ 0.5 s on this machine.
/// </summary>
public static class FirstPaint
{
    private const string Probe = """
        () => {
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          const nav = performance.getEntriesByType('navigation')[0];
          return [fcp ? fcp.startTime : -1, nav ? nav.loadEventEnd : -1];
        }
        """;

    public static async Task<IReadOnlyList<PaintRow>> RunAsync(string site, IReadOnlyList<(string Label, string Relative)> pages, int[] widths, int runs, string chromium)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var rows = new List<PaintRow>();
        foreach (var (label, relative) in pages)
        {
            var file = Path.Combine(site, relative);
            foreach (var width in widths)
            {
                var fcp = new List<double>();
                var load = new List<double>();
                var charts = new List<double>();
                long bytes = 0;
                for (var run = 0; run <= runs; run++) // run 0 warms the browser process and the OS cache; not counted
                {
                    await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
                    {
                        ViewportSize = new ViewportSize { Width = width, Height = 900 }, Offline = true,
                    });
                    var page = await context.NewPageAsync();
                    var fetched = new List<string>();
                    page.Request += (_, r) => fetched.Add(r.Url);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    await page.GotoAsync(new Uri(Path.GetFullPath(file)).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
                    await page.WaitForFunctionAsync(
                        "() => Array.from(document.querySelectorAll('[data-figure]')).every(e => e.hasAttribute('data-rendered'))",
                        null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 10 });
                    var drawn = clock.Elapsed.TotalMilliseconds;
                    var probe = await page.EvaluateAsync<double[]>(Probe);
                    if (run == 0)
                    {
                        bytes = fetched.Select(u => new Uri(u)).Where(u => u.IsFile && File.Exists(u.LocalPath)).Sum(u => new FileInfo(u.LocalPath).Length);
                        continue;
                    }

                    fcp.Add(probe[0]);
                    load.Add(probe[1]);
                    charts.Add(drawn);
                }

                rows.Add(new PaintRow(label, width, Median(fcp), Median(load), Median(charts), bytes));
            }
        }

        return rows;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Format(PaintRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Page,-34} {r.Width,5} {r.FcpMs,10:0} {r.LoadMs,10:0} {r.ChartsMs,12:0} {r.Bytes,12:N0}");

    /// <summary>A copy of <paramref name="site"/> whose plotly-basic.min.js is the full plotly.js embedded in Plotly.NET.</summary>
    public static void CopyWithFullPlotly(string site, string target)
    {
        foreach (var file in Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(site, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }

        var plotly = typeof(Plotly.NET.GenericChart).Assembly;
        var resource = plotly.GetManifestResourceNames()
            .Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var source = plotly.GetManifestResourceStream(resource)!;
        using var dest = File.Create(Path.Combine(target, "assets", "plotly-basic.min.js"));
        source.CopyTo(dest);
    }
}
