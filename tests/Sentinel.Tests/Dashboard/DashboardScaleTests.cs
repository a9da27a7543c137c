using System.Globalization;
using System.Text.Json;
using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>20 libraries × 30 versions (one run each): the layout holds and every chart still draws.</summary>
[Trait("Category", "Slow")]
public sealed class DashboardScaleTests(Browser browser) : IClassFixture<Browser>, IDisposable
{
    private readonly TempDir _dir = new("sentinel-scale");

    private async Task<string> BuildAsync()
    {
        var bundles = _dir.Sub("bundles");
        for (var lib = 0; lib < 20; lib++)
        {
            var library = $"scalelib{lib:D2}";
            for (var v = 0; v < 30; v++)
            {
                var events = new List<SyntheticEvent> { new("WARNING", $"SCALE-W{v % 7:D3}", $"{v % 7:x16}") };
                if ((lib + v) % 4 == 0)
                {
                    events.Add(new SyntheticEvent("ERROR", $"SCALE-E{v % 3:D3}", $"{16 + v % 3:x16}"));
                }

                SyntheticBundle.Write(bundles, library, $"1.{v}.0", v, events,
                    new Dictionary<string, (int, double)> { [$"{library}.core.work"] = (10, 5.0 + v * 0.1), [$"{library}.io.read"] = (10, 2.0) },
                    day: v);
            }
        }

        var config = new SentinelConfig();
        var ingest = await Ingester.RunAsync(new IngestOptions([bundles], TestLake.At(_dir.Sub("lake")), config, VersionHints.None));
        Assert.Equal(600, ingest.Accepted);
        Aggregator.Run(new AggregateOptions(TestLake.At(_dir.Sub("lake")), config, Full: false));
        return DashboardBuilder.Build(new DashboardOptions(TestLake.At(_dir.Sub("lake")), _dir.Sub("site"), SiteModelBuilder.Maintainers, config)).Out;
    }

    [Fact]
    public async Task Twenty_libraries_of_thirty_versions_fit_a_phone_and_a_laptop()
    {
        var site = await BuildAsync();
        using (var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(site, "data/index.json"))))
        {
            Assert.Equal(20, index.RootElement.GetProperty("libraries").GetArrayLength());
        }

        using (var library = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(site, "data/libraries/scalelib07.json"))))
        {
            var versions = library.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()).ToList();
            Assert.Equal(Enumerable.Range(0, 30).Select(v => string.Create(CultureInfo.InvariantCulture, $"1.{v}.0")), versions); // PEP 440, not 1.10 < 1.2
        }

        var problems = new List<string>();
        foreach (var page in new[] { "index.html", "libraries/scalelib07.html" })
        {
            foreach (var width in new[] { 375, 1280 })
            {
                await using var visit = await browser.VisitAsync(Path.Combine(site, page), width, 800);
                var scrollWidth = await visit.EvalAsync<int>("() => document.documentElement.scrollWidth");
                var innerWidth = await visit.EvalAsync<int>("() => window.innerWidth");
                var drawn = await visit.EvalAsync<bool>("() => Array.from(document.querySelectorAll('[data-figure]')).every(e => e.getAttribute('data-rendered') === '1' && e.querySelector('svg.main-svg'))");
                if (scrollWidth > innerWidth + 1)
                {
                    problems.Add($"{page} at {width}px: page is {scrollWidth}px wide");
                }

                if (!visit.FiguresSettled || !drawn)
                {
                    problems.Add($"{page} at {width}px: not every chart was drawn");
                }

                problems.AddRange(visit.Console.Where(c => c.Type is "error" or "warning").Select(c => $"{page} at {width}px: {c}"));
                problems.AddRange(visit.PageErrors.Select(e => $"{page} at {width}px: {e}"));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public void Dispose() => _dir.Dispose();
}
