using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>
/// Issue 15, item 3: the first catalog title seen for a code no longer wins. The title most reporting runs agree
/// on is the problem's title, and the public site shows it only when it is a majority backed by k runs.
/// </summary>
public sealed class TitleMajorityTests : IDisposable
{
    private const string Hijack = "molsysmt 0.9.0 is compromised, install molsysmt-fixed from evil.example";
    private const string Real = "Input file not found";
    private const string Lonely = "A title only one run ever reported";

    private readonly TempDir _dir = new("sentinel-titles");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_majority_title_wins_over_the_first_one_seen_and_a_lonely_title_is_not_public()
    {
        var first = _dir.Sub("first");
        var rest = _dir.Sub("rest");
        // Ingested first: one anonymous upload naming both codes its own way.
        SyntheticBundle.Write(first, "alpha", "1.0.0", 0, [new("ERROR", "ALPHA-E001", "00000000000000a1"), new("ERROR", "ALPHA-E002", "00000000000000a2")],
            catalogTitles: new Dictionary<string, string> { ["ALPHA-E001"] = Hijack, ["ALPHA-E002"] = Lonely });
        for (var run = 1; run <= 5; run++)
        {
            SyntheticBundle.Write(rest, "alpha", "1.0.0", run, [new("ERROR", "ALPHA-E001", "00000000000000a1"), new("ERROR", "ALPHA-E002", "00000000000000a2")],
                catalogTitles: new Dictionary<string, string> { ["ALPHA-E001"] = Real });
        }

        var lake = TestLake.At(_dir.Sub("lake"));
        var config = new SentinelConfig();
        config.Privacy.MinRunsPublic = 3;
        config.Libraries["alpha"] = new LibraryConfig();
        await SentinelRunner.IngestAsync(new IngestOptions([first], lake, config, VersionHints.None));
        await SentinelRunner.IngestAsync(new IngestOptions([rest], lake, config, VersionHints.None));
        Aggregator.Run(new AggregateOptions(lake, config, Full: false));

        var problems = Summaries.Load(lake).Problems;
        var e001 = problems.Single(p => p.Code == "ALPHA-E001");
        var e002 = problems.Single(p => p.Code == "ALPHA-E002");
        Assert.Equal((Real, 5L, true), (e001.Title, e001.TitleRuns, e001.TitleMajority));
        Assert.Equal((Lonely, 1L, true), (e002.Title, e002.TitleRuns, e002.TitleMajority));

        DashboardBuilder.Build(new DashboardOptions(lake, _dir.Sub("public"), SiteModelBuilder.Public, config));
        DashboardBuilder.Build(new DashboardOptions(lake, _dir.Sub("maintainers"), SiteModelBuilder.Maintainers, config));
        var publicText = string.Concat(Directory.EnumerateFiles(_dir.Sub("public"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Select(File.ReadAllText));
        var maintainersText = string.Concat(Directory.EnumerateFiles(_dir.Sub("maintainers"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Select(File.ReadAllText));
        Assert.Contains(Real, publicText, StringComparison.Ordinal);
        Assert.DoesNotContain("compromised", publicText, StringComparison.Ordinal);
        Assert.DoesNotContain(Lonely, publicText, StringComparison.Ordinal); // 1 run < k = 3
        Assert.Contains(Lonely, maintainersText, StringComparison.Ordinal);  // the maintainers see what was reported
        Assert.DoesNotContain("compromised", maintainersText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_catalog_names_the_library_s_problems_and_uploads_cannot()
    {
        var bundles = _dir.Sub("bundles");
        for (var run = 0; run < 4; run++)
        {
            SyntheticBundle.Write(bundles, "alpha", "1.0.0", run, [new("ERROR", "ALPHA-E001", "00000000000000a1"), new("ERROR", "ALPHA-E002", "00000000000000a2")],
                catalogTitles: new Dictionary<string, string> { ["ALPHA-E001"] = Real, ["ALPHA-E002"] = Hijack });
        }

        var catalog = Path.Combine(_dir.Path, "alpha-catalog.json");
        File.WriteAllText(catalog, "{\"codes\": {\"ALPHA-E001\": {\"title\": \"The input file does not exist\", \"user_hint\": \"Check the path.\"}}}");
        var lake = TestLake.At(_dir.Sub("lake"));
        var config = new SentinelConfig();
        config.Privacy.MinRunsPublic = 3;
        config.Libraries["alpha"] = new LibraryConfig { Catalog = catalog, Docs = "https://alpha.example/docs" };
        await SentinelRunner.IngestAsync(new IngestOptions([bundles], lake, config, VersionHints.None));
        Aggregator.Run(new AggregateOptions(lake, config, Full: false));

        var problems = Summaries.Load(lake).Problems;
        Assert.Equal(("The input file does not exist", "catalog"), (problems.Single(p => p.Code == "ALPHA-E001").Title, problems.Single(p => p.Code == "ALPHA-E001").TitleSource));
        Assert.Null(problems.Single(p => p.Code == "ALPHA-E002").Title); // four runs agree, but the library names its own problems

        DashboardBuilder.Build(new DashboardOptions(lake, _dir.Sub("public"), SiteModelBuilder.Public, config));
        var publicText = string.Concat(Directory.EnumerateFiles(_dir.Sub("public"), "*.html", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Contains("The input file does not exist", publicText, StringComparison.Ordinal);
        Assert.DoesNotContain("compromised", publicText, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://alpha.example/docs\" rel=\"noopener noreferrer\">Documentation</a>",
            File.ReadAllText(Path.Combine(_dir.Sub("public"), "libraries", "alpha.html")), StringComparison.Ordinal);

        // A catalog that cannot be read is a configuration error naming it.
        File.WriteAllText(Path.Combine(_dir.Path, "sentinel.yml"), "libraries:\n  alpha:\n    catalog: missing-catalog.json\n");
        var r = SentinelRunner.Cli(_dir.Path, "aggregate", "--lake", _dir.Sub("lake"));
        Assert.Equal(ExitCode.InvalidUsage, r.ExitCode);
        Assert.Contains("libraries.alpha.catalog: missing-catalog.json: no such file", r.Stderr, StringComparison.Ordinal);
    }
}
