using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Dashboard;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>
/// The corpus plus a hostile library, aggregated, and built as two sites: maintainers (everything) and
/// public with a threshold of <see cref="PublicK"/> runs. The hostile library "hostile" has 5 runs of
/// version 1.0.0, a code of 120 characters and a catalog title that tries to run script.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const int PublicK = 3;

    public const string HostileTitle = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> \"quoted\" & 'single'";

    public static readonly string LongCode = "HOSTILE-" + new string('X', 56); // the longest code the grammar keeps (64)

    private readonly TempDir _dir = new("sentinel-dashboard");

    public string Lake => _dir.Sub("lake");

    public string Site => _dir.Sub("site");

    public string PublicSite => _dir.Sub("public");

    public DashboardResult Maintainers { get; private set; } = null!;

    public DashboardResult Public { get; private set; } = null!;

    /// <summary>The one approved triage proposal: molsysmt's MSM-ERR-MEM-001.</summary>
    public Sentinel.Triage.Proposal Approved { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles);
        var hostile = _dir.Sub("hostile");
        for (var run = 0; run < 5; run++)
        {
            SyntheticBundle.Write(hostile, "hostile", "1.0.0", run,
                [new("ERROR", LongCode, "00000000000000c1"), new("WARNING", "HOSTILE-W001", "00000000000000c2")],
                new Dictionary<string, (int, double)> { ["hostile.core.work"] = (10, 5.0 + run) }, day: run,
                catalogTitles: new Dictionary<string, string> { [LongCode] = HostileTitle, ["HOSTILE-W001"] = "A plain warning" });
        }

        var ingest = await Ingester.RunAsync(new IngestOptions([hostile], TestLake.At(Lake), new SentinelConfig(), VersionHints.None));
        Assert.Equal(5, ingest.Accepted);
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), new SentinelConfig(), Full: false));
        await Sentinel.Triage.Triager.RunAsync(TestLake.At(Lake), "molsysmt", llm: null, CancellationToken.None);
        Approved = Sentinel.Triage.Triager.Decide(TestLake.At(Lake), new Sentinel.Triage.ProposalStore(TestLake.At(Lake)).Load()
            .Single(p => p.Signal.Code == "MSM-ERR-MEM-001").Id, "approve", "maintainer-x", "tracked upstream");
        Maintainers = DashboardBuilder.Build(new DashboardOptions(TestLake.At(Lake), Site, SiteModelBuilder.Maintainers, new SentinelConfig()));
        var config = new SentinelConfig();
        config.Privacy.MinRunsPublic = PublicK;
        foreach (var library in Summaries.Load(TestLake.At(Lake)).Libraries)
        {
            config.Libraries[library.Library] = new LibraryConfig(); // every library of the lake is served here
        }

        Public = DashboardBuilder.Build(new DashboardOptions(TestLake.At(Lake), PublicSite, SiteModelBuilder.Public, config));
    }

    public IEnumerable<string> Pages(string site) =>
        Directory.EnumerateFiles(site, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
