using System.Text.Json;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Cli;

/// <summary>The real `sentinel` binary, as a child process.</summary>
public sealed class CliTests
{
    [Fact]
    public void Help_ExplainsEveryCommandAndTheExitCodes()
    {
        var r = SentinelRunner.Cli(null, "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var command in new[] { "ingest", "inspect", "quarantine", "aggregate", "report", "query", "dashboard", "run", "triage", "issues", "serve", "forget", "retention", "compact" })
        {
            Assert.Contains(command, r.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("4 lake locked", r.Stdout, StringComparison.Ordinal);
        Golden.Verify("help-root.txt", r.Stdout);
        Golden.Verify("help-ingest.txt", SentinelRunner.Cli(null, "ingest", "--help").Stdout);
        Golden.Verify("help-aggregate.txt", SentinelRunner.Cli(null, "aggregate", "--help").Stdout);
        Golden.Verify("help-report.txt", SentinelRunner.Cli(null, "report", "--help").Stdout);
        Golden.Verify("help-query.txt", SentinelRunner.Cli(null, "query", "--help").Stdout);
        Golden.Verify("help-dashboard.txt", SentinelRunner.Cli(null, "dashboard", "--help").Stdout);
        Golden.Verify("help-run.txt", SentinelRunner.Cli(null, "run", "--help").Stdout);
        Golden.Verify("help-triage.txt", SentinelRunner.Cli(null, "triage", "--help").Stdout);
        Golden.Verify("help-issues.txt", SentinelRunner.Cli(null, "issues", "--help").Stdout);
        Golden.Verify("help-serve.txt", SentinelRunner.Cli(null, "serve", "--help").Stdout);
        Golden.Verify("help-forget.txt", SentinelRunner.Cli(null, "forget", "--help").Stdout);
        Golden.Verify("help-retention.txt", SentinelRunner.Cli(null, "retention", "--help").Stdout);
        Golden.Verify("help-compact.txt", SentinelRunner.Cli(null, "compact", "--help").Stdout);
    }

    [Fact]
    public void UnknownOption_IsInvalidUsage()
    {
        var r = SentinelRunner.Cli(null, "ingest", "--no-such-option", "x");
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void IngestJson_PrintsOneJsonDocument_AndNoPlantedSecretAnywhere()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var inputs = Corpus.Bundles.Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!))
            .Concat(Corpus.Bad.Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!))).ToArray();
        var r = SentinelRunner.Cli(dir.Path, ["ingest", "--lake", lake, "--json", .. inputs]);

        Assert.Equal(2, r.ExitCode); // some inputs rejected
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        foreach (var field in new[] { "inputs", "accepted", "duplicates", "quarantined", "events_written", "performance_rows_written", "redactions", "receipts" })
        {
            Assert.True(root.TryGetProperty(field, out _), field);
        }

        Assert.True(root.GetProperty("quarantined").GetArrayLength() >= 10);
        foreach (var secret in Corpus.PlantedSecrets)
        {
            Assert.DoesNotContain(secret, r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, r.Stderr, StringComparison.Ordinal);
        }

        var list = SentinelRunner.Cli(dir.Path, "quarantine", "list", "--lake", lake, "--format", "json");
        Assert.Equal(0, list.ExitCode);
        Assert.True(JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength() >= 10);
        foreach (var secret in Corpus.PlantedSecrets)
        {
            Assert.DoesNotContain(secret, list.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Ingest_WhenLakeIsLocked_ExitsFour()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        using (Sentinel.Storage.LakeLock.Acquire(new Sentinel.Storage.LakePaths(lake)))
        {
            var r = SentinelRunner.Cli(dir.Path, "ingest", "--lake", lake, Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"));
            Assert.Equal(4, r.ExitCode);
            Assert.Contains("locked", r.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Ingest_BadConfigKey_ExitsOneNamingTheKey()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Sub("sentinel.yml"), "privacy:\n  min_run_public: 3\n");
        var r = SentinelRunner.Cli(dir.Path, "ingest", "--lake", dir.Sub("lake"), Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'min_run_public'", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("lake")));
    }

    [Fact]
    public void Inspect_ShowsWhatWouldBeKept_AndWritesNothing()
    {
        using var dir = new TempDir();
        var r = SentinelRunner.Cli(dir.Path, "inspect", "--format", "json", Corpus.PathOf("m02_molsysmt-0.9.0_dev_dchen.zip"));
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("accepted", doc.RootElement.GetProperty("verdict").GetString());
        var kept = doc.RootElement.GetProperty("kept").EnumerateArray().ToList();
        Assert.Contains(kept, g => g.GetProperty("library").GetString() == "molsysmt" && g.GetProperty("version").GetString() == "0.9.0" && g.GetProperty("events").GetInt32() == 12);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        foreach (var secret in Corpus.PlantedSecrets)
        {
            Assert.DoesNotContain(secret, r.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void QuarantineReplay_AfterRaisingALimit_IngestsAndEmptiesTheQuarantine()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var first = SentinelRunner.Cli(dir.Path, "ingest", "--lake", lake, Corpus.PathOf("bad/huge_string_5mb.json"));
        Assert.Equal(2, first.ExitCode);

        File.WriteAllText(dir.Sub("sentinel.yml"), "ingest:\n  limits:\n    max_event_kb: 16384\n");
        var replay = SentinelRunner.Cli(dir.Path, "quarantine", "replay", "--lake", lake);
        Assert.Equal(0, replay.ExitCode);
        Assert.Contains("removed from quarantine", replay.Stdout, StringComparison.Ordinal);
        var list = SentinelRunner.Cli(dir.Path, "quarantine", "list", "--lake", lake, "--format", "json");
        Assert.Equal(0, JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength());
        using var reader = new LakeReader(lake);
        Assert.True(reader.Scalar<long>("SELECT count(*) FROM events") > 0);
    }

    [Fact]
    public void Run_does_the_daily_job_on_the_samples_and_a_rerun_adds_nothing()
    {
        using var dir = new TempDir();
        var samples = Path.Combine(Corpus.RepoRoot(), "samples", "bundles");
        var first = SentinelRunner.Cli(dir.Path, "run", samples, "--out", "site");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(File.Exists(Path.Combine(dir.Path, "site", "index.html")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "sentinel-data", "summary", "versions.json")));
        Assert.Contains("regressions", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("Site: ", first.Stdout, StringComparison.Ordinal);

        var again = SentinelRunner.Cli(dir.Path, "run", samples, "--out", "site", "--triage");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("triage: ", again.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "sentinel-data", "state", "triage", "proposals.json")));
        Assert.Contains("0 accepted", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("0 ingest(s) folded in", again.Stderr, StringComparison.Ordinal);
    }
}
