using Sentinel.Ingest;
using Sentinel.Config;
using Sentinel.Pipeline;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Pipeline;

/// <summary>The daily job as one Core-side type: every step runs, a bad upload costs only itself.</summary>
public sealed class DailyJobTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-daily");

    [Fact]
    public async Task A_batch_with_a_bad_upload_still_aggregates_and_publishes_and_exits_2()
    {
        var uploads = _dir.Sub("uploads");
        Directory.CreateDirectory(uploads);
        File.Copy(Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"), Path.Combine(uploads, "good.json"));
        File.WriteAllText(Path.Combine(uploads, "bad.json"), "{\"events\": [");
        var lines = new List<string>();

        var result = await DailyJob.RunAsync(
            new DailyJobOptions([uploads], TestLake.At(_dir.Sub("lake")), new SentinelConfig(), VersionHints.None, _dir.Sub("site"),
                Sentinel.Dashboard.SiteModelBuilder.Maintainers, Triage: true),
            new ListProgress(lines), CancellationToken.None);

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        Assert.Equal(1, result.Ingest!.Accepted);
        Assert.Single(result.Ingest.Quarantined);
        Assert.Contains(result.Report.Libraries, l => l.Library == "molsysmt");
        Assert.NotNull(result.Triage);
        Assert.True(File.Exists(Path.Combine(result.Site.Out, "index.html")));
        Assert.Equal(["ingest:", "aggregate:", "triage:", "dashboard:"], lines.Select(l => l.Split(' ')[0]).Distinct());
    }

    [Fact]
    public async Task An_unusable_site_folder_is_refused_before_anything_is_ingested()
    {
        var site = _dir.Sub("thesis");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "thesis.tex"), "precious");

        await Assert.ThrowsAsync<Sentinel.Dashboard.DashboardOutputException>(() => DailyJob.RunAsync(
            new DailyJobOptions([Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json")], TestLake.At(_dir.Sub("lake")), new SentinelConfig(),
                VersionHints.None, site, Sentinel.Dashboard.SiteModelBuilder.Maintainers, Triage: false),
            new ListProgress([]), CancellationToken.None));
        Assert.False(Directory.Exists(_dir.Sub("lake")));
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    public void Dispose() => _dir.Dispose();
}
