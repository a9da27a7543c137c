using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Serve;
using Sentinel.Tests.Serve;
using Sentinel.Tests.Support;
using Sentinel.Text;

namespace Sentinel.Tests.Aggregate;

/// <summary>
/// Issue 16, version evidence: runs are counted under the version they ran, whichever evidence says so
/// (an upload manifest, another export of the same run, the bundle itself, --default-version), and runs
/// nothing vouches for are "version not reported" with no status.
/// </summary>
public sealed class VersionEvidenceTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-versions");

    private static readonly SyntheticEvent Info = new("INFO");

    // How one run reaches Sentinel (the smonitor semantics the corpus shows: a catalog event carries
    // extra.library/extra.version; --drop-extra exports and runs without catalog events carry nothing).
    private enum Delivery
    {
        CarriesVersion,          // one export whose catalog events name the version
        ManifestUpload,          // --drop-extra export uploaded with Sentinel-Versions: alpha=V
        SnapshotThenFinal,       // a versionless mid-run snapshot ingested first, the final export later
        FinalThenSnapshot,       // the same, arriving in the other order
        Nothing,                 // no version anywhere: the negative control
    }

    private sealed record Run(string TrueVersion, int Index, Delivery Delivery, bool Error, string? ErrorCode = null);

    // The truth: 2.1.0 has 13 runs, one with an error; 2.2.0 has 9 runs, 3 with a new error; 3 runs say nothing.
    private static List<Run> Truth()
    {
        var runs = new List<Run>();
        for (var i = 0; i < 13; i++)
        {
            var delivery = i < 6 ? Delivery.CarriesVersion : i < 10 ? Delivery.ManifestUpload : Delivery.SnapshotThenFinal;
            runs.Add(new Run("2.1.0", i, delivery, Error: i == 1, ErrorCode: "ALPHA-E001"));
        }

        for (var i = 0; i < 9; i++)
        {
            var delivery = i < 3 ? Delivery.CarriesVersion : i < 6 ? Delivery.ManifestUpload : Delivery.FinalThenSnapshot;
            runs.Add(new Run("2.2.0", i, delivery, Error: i is 0 or 4 or 7, ErrorCode: "ALPHA-E777"));
        }

        for (var i = 0; i < 3; i++)
        {
            runs.Add(new Run("9.9.9", i, Delivery.Nothing, Error: false));
        }

        return runs;
    }

    private static SyntheticEvent[] Events(Run r) => r.Error ? [Info, new SyntheticEvent("ERROR", r.ErrorCode, "00000000000000e1")] : [Info, Info with { Fingerprint = "00000000000000ab" }];

    // The snapshot holds the first event only (taken before the error), with no version.
    private string Snapshot(string folder, Run r) =>
        SyntheticBundle.Write(folder, "alpha", r.TrueVersion, r.Index, [], reportsVersion: false, export: "snapshot");

    private string Final(string folder, Run r, bool reportsVersion = true) =>
        SyntheticBundle.Write(folder, "alpha", r.TrueVersion, r.Index, Events(r), reportsVersion: reportsVersion);

    [Fact]
    public async Task Per_version_runs_and_statuses_equal_the_truth_whatever_carried_the_version()
    {
        var truth = Truth();
        var lake = _dir.Sub("lake");
        var inbox = _dir.Sub("inbox");
        var batch1 = _dir.Sub("batch1");
        var batch2 = _dir.Sub("batch2");

        await using (var server = await TestServer.StartAsync(inbox))
        {
            foreach (var r in truth.Where(r => r.Delivery == Delivery.ManifestUpload))
            {
                var file = Final(_dir.Sub("exports"), r, reportsVersion: false);
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, UploadServer.BundlesPath) { Content = content };
                request.Headers.Add(UploadServer.VersionsHeader, $"alpha={r.TrueVersion}");
                using var answer = await server.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            }
        }

        foreach (var r in truth)
        {
            switch (r.Delivery)
            {
                case Delivery.CarriesVersion:
                    Final(batch1, r);
                    break;
                case Delivery.SnapshotThenFinal:
                    Snapshot(batch1, r);
                    Final(batch2, r);
                    break;
                case Delivery.FinalThenSnapshot:
                    Final(batch1, r);
                    Snapshot(batch2, r);
                    break;
                case Delivery.Nothing:
                    Final(batch2, r, reportsVersion: false);
                    break;
            }
        }

        // Three ingests with an incremental aggregate after each: the moves happen as evidence arrives.
        Assert.Empty((await SentinelRunner.IngestAsync(lake, batch1)).Quarantined);
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: false));
        var fromInbox = await Ingester.RunAsync(new IngestOptions([inbox], TestLake.At(lake), new SentinelConfig(), VersionHints.None) { Inbox = inbox });
        Assert.Equal(7, fromInbox.Accepted);
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: false));
        Assert.Empty((await SentinelRunner.IngestAsync(lake, batch2)).Quarantined);
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: false));
        var incremental = Summaries.Load(TestLake.At(lake));

        var health = new SentinelConfig().Health;
        foreach (var version in new[] { "2.1.0", "2.2.0" })
        {
            var runs = truth.Where(r => r.TrueVersion == version).ToList();
            var v = Assert.Single(incremental.Versions, v => v.Library == "alpha" && v.Version == version);
            Assert.Equal(runs.Count, v.Runs);
            Assert.Equal(runs.Count(r => !r.Error), v.ErrorFreeRuns);
            var expected = HealthStatus.Evaluate(new VersionHealth("alpha", version, runs.Count, runs.Count(r => !r.Error)), incremental.Regressions.Select(ToRegression), health);
            Assert.Equal(expected.Status, v.Status);
        }

        Assert.Equal(HealthState.Degraded, incremental.Versions.Single(v => v.Version == "2.1.0").Status); // 12/13 = 92.3%: below 99%
        Assert.Equal(HealthState.Failing, incremental.Versions.Single(v => v.Version == "2.2.0").Status);                                             // 6/9 = 66.7%: below 90%

        // The negative control: its runs are neither counted with a release nor given a status, nor the latest.
        var unknown = Assert.Single(incremental.Versions, v => v.Version == "unknown");
        Assert.Equal(3, unknown.Runs);
        Assert.Equal(HealthState.VersionNotReported, unknown.Status);
        var library = Assert.Single(incremental.Libraries, l => l.Library == "alpha");
        Assert.Equal("2.2.0", library.LatestVersion);
        Assert.Equal(25, library.Runs);

        // The new error is new in 2.2.0, measured against 2.1.0's 13 runs (the unknown runs are no point in the history).
        var newError = Assert.Single(incremental.Problems, p => p.Code == "ALPHA-E777");
        Assert.Equal("2.2.0", newError.NewInVersion);
        Assert.Equal(["2.2.0"], newError.Versions);

        // Its impact is measured over 2.2.0's runs (3 of 9), with the share of all runs (3 of 25) beside it.
        Assert.Equal((3L, 9L, 0.3333), (newError.NewInRunsAffected!.Value, newError.NewInVersionRuns!.Value, newError.NewInRunsShare!.Value));
        Assert.Equal(0.12, newError.RunsAffectedShare);
        await Sentinel.Triage.Triager.RunAsync(TestLake.At(lake), "alpha", null, CancellationToken.None);
        var proposal = new Sentinel.Triage.ProposalStore(TestLake.At(lake)).Load().Single(p => p.Signal.Code == "ALPHA-E777");
        Assert.Contains("affects 33.3% of 2.2.0 runs (3 of 9); 12% of all runs", proposal.Heuristic.Summary, StringComparison.Ordinal);
        Assert.Equal(3.0 / 9, proposal.Heuristic.Impact, 4);

        // Order does not matter: a full rebuild gives the same tables.
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: true));
        var full = Summaries.Load(TestLake.At(lake));
        Assert.Equal(Json(incremental.Versions), Json(full.Versions));
        Assert.Equal(Json(incremental.Problems), Json(full.Problems));

        // People read what "unknown" means.
        var report = MarkdownReport.Render(HealthReport.Build(TestLake.At(lake), library: null, top: 10));
        Assert.Contains("| alpha | version not reported | version not reported |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("| unknown |", report, StringComparison.Ordinal);
    }

    private static Regression ToRegression(RegressionSummary r) =>
        new(r.Library, r.Kind, r.Status, r.Version, r.FromVersion, r.Code, r.TraceHash, r.Function, r.Level,
            r.Ratio, r.PValue, r.RunsBefore, r.RunsAfter, r.BeforeValue, r.AfterValue, r.Expected, r.Observed, r.Reason);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Default_version_fills_only_what_runs_leave_unreported_and_version_overrides_everything()
    {
        var reported = Final(_dir.Sub("in"), new Run("2.1.0", 0, Delivery.CarriesVersion, false));
        var silent = Final(_dir.Sub("in"), new Run("2.2.0", 1, Delivery.Nothing, false), reportsVersion: false);

        var defaults = _dir.Sub("defaults");
        await Ingester.RunAsync(new IngestOptions([reported, silent], TestLake.At(defaults), new SentinelConfig(),
            new VersionHints(new Dictionary<string, string>(), new Dictionary<string, string> { ["alpha"] = "2.0.0" })));
        using (var reader = new LakeReader(defaults))
        {
            Assert.Equal(["2.0.0", "2.1.0"], reader.Rows("SELECT DISTINCT version FROM events ORDER BY version").Select(r => (string)r[0]!).ToArray());
        }

        var forced = _dir.Sub("forced");
        await Ingester.RunAsync(new IngestOptions([reported, silent], TestLake.At(forced), new SentinelConfig(),
            new VersionHints(new Dictionary<string, string> { ["alpha"] = "3.0.0" }, new Dictionary<string, string> { ["alpha"] = "2.0.0" })));
        using (var reader = new LakeReader(forced))
        {
            Assert.Equal(["3.0.0"], reader.Rows("SELECT DISTINCT version FROM events ORDER BY version").Select(r => (string)r[0]!).ToArray());
        }
    }

    [Fact]
    public void Cli_default_version_and_version_say_what_they_do()
    {
        var help = SentinelRunner.Cli(null, "ingest", "--help");
        Assert.Contains("--default-version", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("A version a run does report always wins", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("over what the bundles and upload manifests say", help.Stdout, StringComparison.Ordinal);

        var bad = SentinelRunner.Cli(null, "ingest", "--lake", _dir.Sub("lake"), "--default-version", "alpha=1.0+ghp_local", _dir.Sub("none"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--default-version 'alpha=…'", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_local", bad.Stderr + bad.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alpha=1.0+local.secret", null)]
    [InlineData("Alpha=1.0", null)]
    [InlineData("alpha=1.0,alpha=2.0", null)]
    [InlineData("alpha=1.0", "alpha=1.0")]
    public async Task A_bad_manifest_is_refused_with_400_and_nothing_reaches_the_inbox(string header, string? query)
    {
        var inbox = _dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        var file = Final(_dir.Sub("exports"), new Run("2.1.0", 0, Delivery.ManifestUpload, false), reportsVersion: false);
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var uri = UploadServer.BundlesPath + (query is null ? "" : "?versions=" + Uri.EscapeDataString(query));
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Add(UploadServer.VersionsHeader, header);

        using var answer = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.Contains("bad_versions", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.Empty(TestServer.InboxFiles(inbox));
        Assert.False(Directory.Exists(Path.Combine(inbox, UploadManifest.Folder)));
    }

    [Fact]
    public async Task A_manifest_in_the_query_is_stored_beside_the_upload_and_forget_removes_it()
    {
        var inbox = _dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        var file = Final(_dir.Sub("exports"), new Run("2.1.0", 0, Delivery.ManifestUpload, false), reportsVersion: false);
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var answer = await server.Client.PostAsync(new Uri(UploadServer.BundlesPath + "?versions=alpha%3D2.1.0", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var receipt = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("receipt").GetString()!;

        Assert.Equal(new Dictionary<string, string> { ["alpha"] = "2.1.0" }, UploadManifest.Read(inbox, receipt, out var problem));
        Assert.Null(problem);

        InboxFiles.CompleteForget(inbox, receipt);
        Assert.False(File.Exists(UploadManifest.PathFor(inbox, receipt)));
    }

    [Fact]
    public void A_tampered_manifest_file_is_ignored_not_trusted()
    {
        var inbox = _dir.Sub("inbox");
        var receipt = new string('a', InboxFiles.ReceiptLength);
        Directory.CreateDirectory(Path.Combine(inbox, UploadManifest.Folder));
        File.WriteAllText(UploadManifest.PathFor(inbox, receipt), """{"alpha":"1.0+AKIAIOSFODNN7EXAMPLE"}""");

        Assert.Empty(UploadManifest.Read(inbox, receipt, out var problem));
        Assert.NotNull(problem);
        Assert.Equal(VersionText.NotReported, VersionText.Label("unknown"));
    }

    public void Dispose() => _dir.Dispose();
}
