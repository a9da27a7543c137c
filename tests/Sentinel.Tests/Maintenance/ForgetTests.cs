using System.Text.Json;
using Sentinel.Storage;
using Sentinel.Maintenance;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using static Sentinel.Tests.Maintenance.MaintenanceTestSupport;

namespace Sentinel.Tests.Maintenance;

public sealed class ForgetTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-forget");

    private string Lake => _dir.Sub("lake");

    /// <summary>The corpus in a few multi-bundle ingests: files hold rows of several uploads.</summary>
    private async Task<string> BuildAsync()
    {
        await AggregatedCorpusFixture.IngestAsync(Lake, Corpus.Bundles);
        using var reader = new LakeReader(Lake);

        // The upload with the most events among those that share an events file with another upload.
        return reader.Scalar<string>("""
            SELECT b.receipt FROM bundles b
            JOIN (SELECT bundle_id, count(*) AS n FROM events GROUP BY bundle_id) e USING (bundle_id)
            WHERE b.performance_rows > 0
            ORDER BY e.n DESC, b.receipt LIMIT 1
            """);
    }

    private static string BundleIdOf(Dictionary<string, List<string>> rows, string receipt) =>
        rows["bundles"].Single(r => r.Split('|')[1] == receipt).Split('|')[0];

    [Fact]
    public async Task Forget_removes_exactly_that_uploads_rows_from_every_table()
    {
        var receipt = await BuildAsync();
        AggregateLake(Lake);
        var before = VisibleRows(Lake);
        var bundleId = BundleIdOf(before, receipt);
        var expected = before.ToDictionary(kv => kv.Key, kv => kv.Value.Where(r => !r.Contains(bundleId, StringComparison.Ordinal)).ToList());
        Assert.All(TableNames, t => Assert.True(expected[t].Count < before[t].Count || t == "catalog", $"{t}: the upload has no rows there"));
        var eventsBefore = Summaries(Lake).Meta.Events;

        // At every step a reader sees the lake before the forget or after it, nothing in between.
        var result = LakeMaintenance.Forget(TestLake.At((Lake)), [receipt], dryRun: false, beforeStep: step =>
        {
            var now = VisibleRows(Lake);
            Assert.True(Same(now, before) || Same(now, expected), $"a reader saw a mix before {step}");
        });

        Assert.Equal([bundleId], result.Found[receipt]);
        Assert.Empty(result.NotFound);
        Assert.NotNull(result.RewriteId);
        AssertSameRows(expected, VisibleRows(Lake), "after forget");
        AssertQuiescent(Lake);
        using (var reader = new LakeReader(Lake))
        {
            foreach (var table in TableNames)
            {
                Assert.Equal(0L, reader.Scalar<long>($"SELECT count(*) FROM {table} WHERE bundle_id = '{bundleId}'"));
            }
        }

        var aggregate = AggregateLake(Lake);
        Assert.Contains("rewritten", aggregate.RebuildReason, StringComparison.Ordinal);
        var forgottenEvents = before["events"].Count - expected["events"].Count;
        Assert.Equal(eventsBefore - forgottenEvents, Summaries(Lake).Meta.Events);
    }

    [Fact]
    public async Task Forgetting_again_finds_nothing_and_changes_nothing()
    {
        var receipt = await BuildAsync();
        LakeMaintenance.Forget(TestLake.At(Lake), [receipt], dryRun: false);
        var rows = VisibleRows(Lake);
        var generation = LakeGeneration.Read(new LakePaths(Lake));

        var again = LakeMaintenance.Forget(TestLake.At(Lake), [receipt], dryRun: false);

        Assert.Equal([receipt], again.NotFound);
        Assert.Null(again.RewriteId);
        Assert.Equal(generation, LakeGeneration.Read(new LakePaths(Lake)));
        AssertSameRows(rows, VisibleRows(Lake), "second forget");
    }

    [Fact]
    public async Task A_dry_run_names_the_rows_and_removes_none()
    {
        var receipt = await BuildAsync();
        var before = VisibleRows(Lake);
        var plan = LakeMaintenance.Forget(TestLake.At(Lake), [receipt], dryRun: true);
        var bundleId = BundleIdOf(before, receipt);
        Assert.Equal(before["events"].Count(r => r.Contains(bundleId, StringComparison.Ordinal)), plan.Tables.Single(t => t.Table == "events").RowsRemoved);
        Assert.Null(plan.RewriteId);
        AssertSameRows(before, VisibleRows(Lake), "dry run");
    }

    [Fact]
    public async Task A_crash_after_the_point_of_no_return_is_rolled_forward_by_the_next_command()
    {
        var receipt = await BuildAsync();
        var before = VisibleRows(Lake);
        var bundleId = BundleIdOf(before, receipt);
        var expected = before.ToDictionary(kv => kv.Key, kv => kv.Value.Where(r => !r.Contains(bundleId, StringComparison.Ordinal)).ToList());

        Assert.Throws<SimulatedCrash>(() => LakeMaintenance.Forget(TestLake.At((Lake)), [receipt], dryRun: false,
            beforeStep: step =>
            {
                if (step == "state/rewrites.json")
                {
                    throw new SimulatedCrash(step);
                }
            }));

        // The new files are in place but not published: readers still see the whole old lake.
        AssertSameRows(before, VisibleRows(Lake), "crashed before publishing");

        // Any command taking the lock finishes it: here the aggregate.
        AggregateLake(Lake);
        AssertSameRows(expected, VisibleRows(Lake), "after recovery");
        AssertQuiescent(Lake);
    }

    [Fact]
    public void Forget_on_the_command_line_refuses_what_is_not_a_receipt_and_fails_on_an_unknown_one()
    {
        Directory.CreateDirectory(Lake);
        var bad = SentinelRunner.Cli(null, "--lake", Lake, "forget", "not-a-receipt");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("is not a receipt", bad.Stderr + bad.Stdout, StringComparison.Ordinal);

        var unknown = SentinelRunner.Cli(null, "--lake", Lake, "forget", "0123456789abcdef01234567");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("0123456789abcdef01234567: no upload with this receipt", unknown.Stderr, StringComparison.Ordinal);

        var none = SentinelRunner.Cli(null, "--lake", Lake, "forget");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("RECEIPT", none.Stderr + none.Stdout, StringComparison.Ordinal);
    }

    private static Sentinel.Aggregate.Summaries Summaries(string lake) => Sentinel.Aggregate.Summaries.Load(TestLake.At(lake));

    [Fact]
    public void A_forgotten_upload_is_never_stored_again_from_the_same_bytes_but_a_fresh_export_is()
    {
        var bundle = Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json");
        var first = SentinelRunner.Cli(_dir.Path, "ingest", bundle, "--lake", Lake, "--json");
        Assert.Equal(0, first.ExitCode);
        var receipt = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("receipts")[0].GetString()!;

        var forget = SentinelRunner.Cli(_dir.Path, "forget", receipt, "--lake", Lake);
        Assert.Equal(0, forget.ExitCode);
        Assert.Contains("tombstone", forget.Stderr, StringComparison.Ordinal);
        var tombstone = Assert.Single(Directory.GetFiles(Path.Combine(Lake, "state", "forgotten")));
        Assert.Equal(0, new FileInfo(tombstone).Length);
        Assert.StartsWith(receipt, Path.GetFileName(tombstone), StringComparison.Ordinal);

        // Re-running ingest over the same bytes (a folder walk, a retried upload) stores nothing.
        var again = SentinelRunner.Cli(_dir.Path, "ingest", bundle, "--lake", Lake, "--json");
        Assert.Equal(0, again.ExitCode);
        var json = JsonDocument.Parse(again.Stdout).RootElement;
        Assert.Equal(1, json.GetProperty("forgotten").GetInt32());
        Assert.Equal(0, json.GetProperty("accepted").GetInt32());
        using (var reader = new LakeReader(Lake))
        {
            Assert.Equal(0L, reader.Scalar<long>("SELECT count(*) FROM events"));
        }

        // A fresh export (other bytes) is a new consent and is stored.
        var fresh = _dir.Sub("fresh.json");
        File.WriteAllText(fresh, File.ReadAllText(bundle) + "\n");
        var reconsent = SentinelRunner.Cli(_dir.Path, "ingest", fresh, "--lake", Lake, "--json");
        Assert.Equal(0, reconsent.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(reconsent.Stdout).RootElement.GetProperty("accepted").GetInt32());
    }

    public void Dispose() => _dir.Dispose();
}
