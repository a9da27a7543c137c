using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

public sealed class IdempotencyAndCrashTests
{
    private static readonly string[] Inputs =
    [
        "m01_molsysmt-0.9.0_user_mgarcia.json", "m02_molsysmt-0.9.0_dev_dchen", "t02_topomt-0.9.0_dev_kwame.tar.gz",
        "c05_cryoflux-2.4.0_dev_lwong.json", "d03_depdigest-0.10.0_debug_dchen.zip",
    ];

    private static string[] Paths => [.. Inputs.Select(Corpus.PathOf)];

    private static List<string> Snapshot(string lake)
    {
        using var r = new LakeReader(lake);
        return [.. r.Rows("SELECT library || '|' || version || '|' || event_id FROM events ORDER BY 1").Select(x => (string)x[0]!)];
    }

    [Fact]
    public async Task Ingest_RunTwice_SecondRunAddsNothing()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        var first = await SentinelRunner.IngestAsync(lake, Paths);
        var files = Directory.GetFiles(lake, "*.parquet", SearchOption.AllDirectories).Length;
        var before = Snapshot(lake);

        var second = await SentinelRunner.IngestAsync(lake, Paths);

        Assert.True(first.EventsWritten > 0);
        Assert.Equal(0, second.EventsWritten);
        Assert.Equal(Inputs.Length, second.Duplicates);
        Assert.Equal(files, Directory.GetFiles(lake, "*.parquet", SearchOption.AllDirectories).Length);
        Assert.Equal(before, Snapshot(lake));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public async Task Ingest_WhenACommitRenameFails_LeavesNoPartialFileAndARerunCompletesExactlyOnce(int failAfter)
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        Environment.SetEnvironmentVariable(LakeSecret.EnvironmentVariable, null);
        var renames = 0;
        var failing = new IngestOptions(Paths, TestLake.At(lake), new SentinelConfig(), VersionHints.None)
        {
            BeforeCommitRename = _ =>
            {
                if (renames++ == failAfter)
                {
                    throw new IOException("disk full (injected)");
                }
            },
        };

        await Assert.ThrowsAsync<IOException>(() => SentinelRunner.IngestAsync(failing));

        // Whatever is visible is whole, readable Parquet; nothing half-written sits in the tables.
        foreach (var file in Directory.GetFiles(lake, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/_staging/", StringComparison.Ordinal) && !f.Contains("/state/", StringComparison.Ordinal)))
        {
            Assert.True(file.EndsWith(".parquet", StringComparison.Ordinal) || file.EndsWith(".sentinel.lock", StringComparison.Ordinal), file);
        }

        using (var r = new LakeReader(lake))
        {
            Assert.True(r.Scalar<long>("SELECT count(*) FROM events") >= 0);
        }

        var rerun = await SentinelRunner.IngestAsync(lake, Paths);
        Assert.Equal(ExitCode.Success, rerun.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(lake, "_staging")));
        Assert.Empty(Directory.GetFiles(Path.Combine(lake, "state", "journal")));

        using var dir2 = new TempDir();
        var clean = dir2.Sub("lake");
        Directory.CreateDirectory(Path.Combine(clean, "state"));
        File.Copy(Path.Combine(lake, "state", "secret.key"), Path.Combine(clean, "state", "secret.key"));
        await SentinelRunner.IngestAsync(clean, Paths);
        Assert.Equal(Snapshot(clean), Snapshot(lake));
        using var reader = new LakeReader(lake);
        Assert.Equal(reader.Scalar<long>("SELECT count(*) FROM events"), reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
        Assert.Equal(Inputs.Length, reader.Scalar<long>("SELECT count(DISTINCT bundle_id) FROM bundles"));
    }

    [Fact]
    public async Task Ingest_WhenTheLakeIsLocked_RefusesWithAClearMessageAndChangesNothing()
    {
        using var dir = new TempDir();
        var lake = dir.Sub("lake");
        using (LakeLock.Acquire(new LakePaths(lake)))
        {
            var e = await Assert.ThrowsAsync<LakeLockedException>(() => SentinelRunner.IngestAsync(lake, Paths));
            Assert.Contains("locked by another sentinel run", e.Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(lake, "events")));
    }
}
