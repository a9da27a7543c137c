using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

public sealed class BadInputTests
{
    // Inputs the corpus says must be rejected whole: nothing from them may reach the lake.
    public static TheoryData<string, string> WholeRejections() => new()
    {
        { "bad/truncated.json", "not valid JSON" },
        { "bad/not_json_traceback.json", "not valid JSON at byte 0" },
        { "bad/empty.json", "empty file" },
        { "bad/wrong_toplevel_array.json", "top-level value must be an smonitor bundle object" },
        { "bad/timestamp_not_iso.json", "not an ISO-8601 timestamp" },
        { "bad/huge_string_5mb.json", "larger than 1024 KiB" },
        { "bad/deep_nesting_10000.json", "depth of 64" },
        { "bad/non_utf8_cp1252.json", "not valid UTF-8" },
        { "bad/zip_path_traversal.zip", "unsafe archive entry name" },
        { "bad/zip_bomb_1GiB.zip", "compression ratio" },
    };

    [Theory]
    [MemberData(nameof(WholeRejections))]
    public async Task Ingest_WhenInputIsBad_QuarantinesItWithReasonAndStoresNothing(string path, string reasonFragment)
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var result = await SentinelRunner.IngestAsync(lake, Corpus.PathOf(path));

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        var q = Assert.Single(result.Quarantined);
        Assert.Contains(reasonFragment, q.Reason, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(Corpus.PathOf(path)), q.Reason, StringComparison.Ordinal); // names the file
        Assert.Equal(0, result.EventsWritten);
        Assert.False(LakePaths.HasFiles(Path.Combine(lake, "events")));
        Assert.False(LakePaths.HasFiles(Path.Combine(lake, "bundles")));

        var entry = Assert.Single(Quarantine.List(new LakePaths(lake)));
        Assert.Equal(QuarantineEntry.Rejected, entry.Kind);
        Assert.NotNull(Quarantine.StoredInput(new LakePaths(lake), entry.Id)); // bytes kept for replay
        Assert.False(File.Exists("/tmp/sentinel_pwned.txt"));
    }

    [Fact]
    public async Task Ingest_WhenOneJsonlLineIsBroken_KeepsTheGoodLinesAndQuarantinesThatLine()
    {
        using var dir = new TempDir();
        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), Corpus.PathOf("bad/events_one_broken_line"));

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        Assert.Equal(41, result.EventsWritten);
        var entry = Assert.Single(Quarantine.List(new LakePaths(dir.Sub("lake"))));
        Assert.Equal(QuarantineEntry.Partial, entry.Kind);
        var problem = Assert.Single(entry.Problems);
        Assert.EndsWith("events.jsonl line 22", problem.Where, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad/wrong_types_level_int.json", "events[0]", "level")]
    [InlineData("bad/missing_required_fields.json", "events[0]", "timestamp, level")]
    public async Task Ingest_WhenSomeEventsViolateTheSchema_QuarantinesThoseEventsByIndex(string path, string where, string field)
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var result = await SentinelRunner.IngestAsync(lake, Corpus.PathOf(path));

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        var entry = Assert.Single(Quarantine.List(new LakePaths(lake)));
        Assert.Contains(entry.Problems, p => p.Where.EndsWith(where, StringComparison.Ordinal) && p.Field == field);
        using var reader = new LakeReader(lake);
        var seen = reader.Scalar<long>("SELECT events_seen FROM bundles");
        var rejected = reader.Scalar<long>("SELECT events_rejected FROM bundles");
        Assert.Equal(seen - rejected, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(entry.Problems.Count, rejected);
    }

    [Fact]
    public async Task Ingest_ByteIdenticalDuplicateUpload_IsAcknowledgedAndStoresNothing()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var first = await SentinelRunner.IngestAsync(lake, Corpus.PathOf("m05_molsysmt-0.10.0_agent_kwame.json"));
        var second = await SentinelRunner.IngestAsync(lake, Corpus.PathOf("bad/duplicate_upload_of_m05_molsysmt-0.10.0_agent_kwame.json"));

        Assert.Equal(ExitCode.Success, second.ExitCode);
        Assert.Equal(1, second.Duplicates);
        Assert.Equal(0, second.EventsWritten);
        Assert.Equal(first.Receipts, second.Receipts);
        using var reader = new LakeReader(lake);
        Assert.Equal(6, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(1, reader.Scalar<long>("SELECT count(*) FROM bundles"));
    }

    [Fact]
    public async Task Ingest_OverlappingReExportOfTheSameRun_MergesToTenDistinctEvents()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        await SentinelRunner.IngestAsync(lake, Corpus.PathOf("m13_molsysmt-0.10.1_user_priya.json"));
        var second = await SentinelRunner.IngestAsync(lake, Corpus.PathOf("bad/overlap_reexport_of_m13_molsysmt-0.10.1_user_priya.json"));

        Assert.Equal(7, second.EventsWritten);
        Assert.Equal(3, second.EventsDuplicate);
        using var reader = new LakeReader(lake);
        Assert.Equal(10, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(1, reader.Scalar<long>("SELECT count(DISTINCT run_key) FROM events"));
        Assert.Equal(10, reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
    }

    [Fact]
    public async Task Ingest_AppendEventsRepeats_CollapseToDistinctEvents()
    {
        using var dir = new TempDir();
        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), Corpus.PathOf("bad/append_events_duplicated"));

        Assert.Equal(8, result.EventsWritten);
        Assert.Equal(3, result.EventsDuplicate);
    }

    [Fact]
    public async Task Ingest_ArchiveAndTheDirectoryItPacks_AreOneUpload()
    {
        using var dir = new TempDir();
        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"),
            Corpus.PathOf("m07_molsysmt-0.10.1_dev_dchen"), Corpus.PathOf("m07_molsysmt-0.10.1_dev_dchen.zip"),
            Corpus.PathOf("m07_molsysmt-0.10.1_dev_dchen.tar.gz"));

        Assert.Equal(1, result.Accepted);
        Assert.Equal(2, result.Duplicates);
        Assert.Equal(12, result.EventsWritten);
        Assert.Single(result.Receipts.Distinct());
    }

    [Fact]
    public async Task Ingest_ZipBomb_IsRefusedFastWithoutInflating()
    {
        using var dir = new TempDir();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), Corpus.PathOf("bad/zip_bomb_1GiB.zip"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Single(result.Quarantined);
        Assert.True(allocated < 64L << 20, $"allocated {allocated:N0} bytes for a refused zip bomb");
    }

    [Fact]
    public async Task Ingest_ZipBombWithLyingHeader_IsStoppedWhileInflating()
    {
        using var dir = new TempDir();
        var config = new Sentinel.Config.SentinelConfig();
        config.Ingest.Limits.MaxCompressionRatio = 100_000; // the header check passes...
        config.Ingest.Limits.MaxUncompressedMb = 8;        // ...but it still can't inflate past 8 MiB
        var result = await SentinelRunner.IngestAsync(new IngestOptions([Corpus.PathOf("bad/zip_bomb_1GiB.zip")], TestLake.At(dir.Sub("lake")), config, VersionHints.None));

        var q = Assert.Single(result.Quarantined);
        Assert.Contains("MiB", q.Reason, StringComparison.Ordinal);
    }
}
