using System.Security.Cryptography;
using System.Text.Json;
using Sentinel.Ingest;
using Sentinel.Tests.Support;
using static Sentinel.Tests.Maintenance.MaintenanceTestSupport;

namespace Sentinel.Tests.Maintenance;

/// <summary>The inbox `sentinel serve` writes, processed by `ingest --inbox` and `forget --inbox` (real binary).</summary>
public sealed class InboxTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-inbox");

    private string Lake => _dir.Sub("lake");

    private string Inbox => _dir.Sub("inbox");

    /// <summary>Puts a corpus file into the inbox the way serve does: named by the SHA-256 of its bytes.</summary>
    private string Upload(string corpusFile)
    {
        Directory.CreateDirectory(Inbox);
        var bytes = File.ReadAllBytes(Corpus.PathOf(corpusFile));
        var receipt = Convert.ToHexStringLower(SHA256.HashData(bytes))[..24];
        var extension = corpusFile.EndsWith(".tar.gz", StringComparison.Ordinal) ? "tar.gz" : Path.GetExtension(corpusFile).TrimStart('.');
        File.WriteAllBytes(Path.Combine(Inbox, $"{receipt}.{extension}"), bytes);
        return receipt;
    }

    [Fact]
    public void Ingest_inbox_keeps_receipts_moves_processed_uploads_to_done_and_forget_inbox_honours_deletion_requests()
    {
        var kept = Upload("m01_molsysmt-0.9.0_user_mgarcia.json");
        var forgotten = Upload("d03_depdigest-0.10.0_debug_dchen.zip");
        var rejected = Upload("bad/truncated.json");
        File.WriteAllText(Path.Combine(Inbox, ".secret"), "not a bundle: dot-files are the server's");

        var ingest = SentinelRunner.Cli(null, "--lake", Lake, "ingest", "--inbox", Inbox, "--format", "json");
        Assert.Equal(2, ingest.ExitCode); // one upload quarantined
        using (var json = JsonDocument.Parse(ingest.Stdout))
        {
            Assert.Equal(3, json.RootElement.GetProperty("moved_to_done").GetInt32());
        }

        Assert.Equal([".done", ".secret"], Directory.EnumerateFileSystemEntries(Inbox).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(Inbox, InboxFiles.DoneFolder)).Count());
        using (var reader = new LakeReader(Lake))
        {
            Assert.Equal(new[] { forgotten, kept }.Order(StringComparer.Ordinal), reader.Rows("SELECT upload_receipt FROM bundles ORDER BY 1").Select(r => (string)r[0]!));
        }

        // Re-running on the emptied inbox does nothing.
        var again = SentinelRunner.Cli(null, "--lake", Lake, "ingest", "--inbox", Inbox, "--format", "json");
        Assert.Equal(0, again.ExitCode);

        // Deletion requests that came in after the ingest (serve leaves a marker per receipt).
        Directory.CreateDirectory(Path.Combine(Inbox, InboxFiles.ForgetFolder));
        File.WriteAllText(Path.Combine(Inbox, InboxFiles.ForgetFolder, forgotten), "");
        File.WriteAllText(Path.Combine(Inbox, InboxFiles.ForgetFolder, rejected), "");
        var before = VisibleRows(Lake);
        var forget = SentinelRunner.Cli(null, "--lake", Lake, "forget", "--inbox", Inbox, "--format", "json");
        Assert.Equal(0, forget.ExitCode);
        using (var json = JsonDocument.Parse(forget.Stdout))
        {
            Assert.Equal(2, json.RootElement.GetProperty("inbox_markers").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("quarantine_entries_removed").GetInt32());
            Assert.Equal([rejected], json.RootElement.GetProperty("not_found").EnumerateArray().Select(e => e.GetString()));
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Inbox, InboxFiles.ForgetFolder)));
        Assert.Equal([$"{kept}.json"], Directory.EnumerateFiles(Path.Combine(Inbox, InboxFiles.DoneFolder)).Select(Path.GetFileName));
        Assert.Empty(Directory.Exists(Path.Combine(Lake, "quarantine")) ? Directory.EnumerateDirectories(Path.Combine(Lake, "quarantine")) : []);
        using (var reader = new LakeReader(Lake))
        {
            Assert.Equal([kept], reader.Rows("SELECT upload_receipt FROM bundles").Select(r => (string)r[0]!));
            Assert.Equal(0L, reader.Scalar<long>("SELECT count(*) FROM events WHERE library = 'depdigest'"));
            Assert.True(reader.Scalar<long>("SELECT count(*) FROM events") > 0);
        }

        var after = VisibleRows(Lake);
        Assert.True(after["events"].Count < before["events"].Count);
        Assert.All(after["events"], r => Assert.Contains(r, before["events"]));
    }

    [Fact]
    public void Ingest_takes_paths_or_an_inbox_not_both_and_not_neither()
    {
        Directory.CreateDirectory(Inbox);
        var both = SentinelRunner.Cli(null, "--lake", Lake, "ingest", "--inbox", Inbox, Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"));
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("--inbox takes no PATH", both.Stderr + both.Stdout, StringComparison.Ordinal);

        var neither = SentinelRunner.Cli(null, "--lake", Lake, "ingest");
        Assert.Equal(1, neither.ExitCode);
        Assert.Contains("--inbox DIR", neither.Stderr + neither.Stdout, StringComparison.Ordinal);

        var missing = SentinelRunner.Cli(null, "--lake", Lake, "ingest", "--inbox", _dir.Sub("nowhere"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such inbox folder", missing.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Lake));
    }

    [Fact]
    public async Task Files_stay_in_the_inbox_until_the_commit_and_a_rerun_after_a_crash_moves_them_as_duplicates()
    {
        var receipt = Upload("m03_molsysmt-0.9.0_user_ana.json");

        // A run that committed but died before moving anything looks like a plain ingest of the inbox.
        await SentinelRunner.IngestAsync(Lake, Inbox);
        Assert.True(File.Exists(Path.Combine(Inbox, $"{receipt}.json")));

        var rerun = await Ingester.RunAsync(new IngestOptions([Inbox], TestLake.At(Lake), new Sentinel.Config.SentinelConfig(), VersionHints.None) { Inbox = Inbox });
        Assert.Equal(1, rerun.Duplicates);
        Assert.Equal(1, rerun.MovedToDone);
        Assert.True(File.Exists(Path.Combine(Inbox, InboxFiles.DoneFolder, $"{receipt}.json")));
    }

    public void Dispose() => _dir.Dispose();
}
