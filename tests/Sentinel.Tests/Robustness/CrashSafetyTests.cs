using System.Diagnostics;
using Sentinel.Tests.Support;
using Xunit.Abstractions;

namespace Sentinel.Tests.Robustness;

/// <summary>
/// Kills a real `sentinel ingest` process at random points and checks, each time, that readers saw
/// only whole committed data at the moment of the kill and that a re-run ends in the clean lake.
/// </summary>
[Collection(RobustnessCollection.Name)]
[Trait("Category", "Slow")]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Seed = 20261125;
    private const int MinTrials = 20;
    private const int MaxTrials = 26;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(55);

    // Every shape (json, jsonl, directory, zip, tar.gz), seven libraries' worth of partitions.
    private static readonly string[] Bundles =
    [
        "m01_molsysmt-0.9.0_user_mgarcia.json", "m02_molsysmt-0.9.0_dev_dchen", "m08_molsysmt-0.10.1_user_priya.jsonl",
        "m09_molsysmt-0.10.1_debug_mgarcia", "t02_topomt-0.9.0_dev_kwame.tar.gz", "c05_cryoflux-2.4.0_dev_lwong.json",
        "d03_depdigest-0.10.0_debug_dchen.zip", "a04_argdigest-1.0.0rc1_dev_priya.tar.gz", "p06_pyunitwizard-0.10.1_agent_runner.zip",
    ];

    private enum KillAt
    {
        /// <summary>A delay drawn uniformly over the measured length of a whole run.</summary>
        RandomTime,

        /// <summary>Soon after _staging/ appears: while Parquet files are being written.</summary>
        WhileStaging,

        /// <summary>
        /// On a file-system event of the commit (journal renamed into place, or the first table folder
        /// created by the renames), from the watcher's thread: in the middle of the renames.
        /// </summary>
        WhileRenaming,
    }

    [Fact]
    public async Task Ingest_KilledAtRandomPoints_ReadersOnlyEverSeeWholeCommits_AndARerunGivesTheCleanLake()
    {
        using var dir = new TempDir("sentinel-crash");
        var inputs = Bundles.Select(dir.CopyFromCorpus).ToList();

        // The clean single-run lake; its key is then given to every trial lake so event ids compare.
        var clean = dir.Sub("clean");
        var first = await ChildIngest.RunAsync(clean, inputs, dir.Path);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(first.EventsWritten > 0, first.ToString());
        LakeAudit.AssertSettled(clean);
        var expected = LakeAudit.Image(clean);
        var key = Path.Combine(clean, "state", "secret.key");

        // Measure how long a whole run takes (process start to exit) on a second clean lake.
        var timing = NewLake(dir.Sub("timing"), key);
        var measured = await ChildIngest.RunAsync(timing, inputs, dir.Path);
        Assert.True(measured.ExitCode == 0, measured.ToString());
        LakeAudit.AssertSameLake(expected, LakeAudit.Image(timing), "second clean run");
        var runLength = measured.Elapsed;
        output.WriteLine($"seed {Seed}; a whole run takes {runLength.TotalMilliseconds:F0} ms; clean lake: {expected.EventRows} events, " +
                         $"{expected.PerformanceRows} performance rows, {expected.Layout.Count} files");

        var rng = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        var trial = 0;
        for (; trial < MaxTrials && (trial < MinTrials || clock.Elapsed < Budget); trial++)
        {
            var mode = (trial % 4) switch { 1 => KillAt.WhileStaging, 3 => KillAt.WhileRenaming, _ => KillAt.RandomTime };
            var lake = NewLake(dir.Sub($"trial-{trial:D2}"), key);
            var context = $"trial {trial} (seed {Seed}, {mode})";

            using var watcher = new FileSystemWatcher(lake) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName };
            using var child = ChildIngest.Start(lake, inputs, dir.Path);
            var plan = await WaitForKillPointAsync(child, watcher, lake, mode, runLength, rng, trial);
            var killed = await child.KillAsync();
            var phase = Phase(lake, killed);
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            output.WriteLine($"{context}: {plan}, killed at {killed.Elapsed.TotalMilliseconds:F0} ms: {phase}");

            // The moment of the kill, as any reader would find it.
            try
            {
                LakeAudit.AssertReadersSeeOnlyWholeCommits(lake);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{context}, at the kill ({phase}): {e.Message}");
            }

            // Re-run to completion: the clean lake, exactly once, nothing left over.
            var rerun = await ChildIngest.RunAsync(lake, inputs, dir.Path);
            Assert.True(rerun.ExitCode == 0, $"{context}: re-run failed: {rerun}");
            try
            {
                LakeAudit.AssertSettled(lake);
                LakeAudit.AssertSameLake(expected, LakeAudit.Image(lake), context);
                var ledger = LakeAudit.Ledger(lake);
                Assert.Single(ledger.Select(l => l.IngestId).Distinct()); // one committed ingest: the killed run's or the re-run's
                Assert.Equal(expected.EventRows, ledger.Sum(l => l.EventsWritten));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{context}, after the re-run (killed {phase}): {e.Message}");
            }

            Directory.Delete(lake, recursive: true);
        }

        output.WriteLine($"{trial} trials in {clock.Elapsed.TotalSeconds:F1} s; kill points: " +
                         string.Join(", ", phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value}")));
        Assert.True(trial >= MinTrials);
        // The kills must have hit the interesting windows, not only process start-up.
        Assert.True(phases.Keys.Any(p => p.StartsWith("mid-commit", StringComparison.Ordinal) || p.StartsWith("staging", StringComparison.Ordinal)),
            "no kill landed while files were staged or renamed: " + string.Join(", ", phases.Keys));
    }

    private static string NewLake(string lake, string key)
    {
        Directory.CreateDirectory(Path.Combine(lake, "state"));
        File.Copy(key, Path.Combine(lake, "state", "secret.key"));
        return lake;
    }

    /// <summary>Waits for the kill point of this trial; returns what it waited for.</summary>
    private static async Task<string> WaitForKillPointAsync(ChildIngest child, FileSystemWatcher watcher, string lake, KillAt mode, TimeSpan runLength, Random rng, int trial)
    {
        switch (mode)
        {
            case KillAt.RandomTime:
            {
                var delay = TimeSpan.FromMilliseconds(rng.NextDouble() * runLength.TotalMilliseconds * 1.1);
                await Task.Delay(delay);
                return $"random delay {delay.TotalMilliseconds:F0} ms";
            }

            case KillAt.WhileStaging:
            {
                var after = rng.Next(0, 40);
                var staging = Path.Combine(lake, "_staging");
                await Task.Run(() => SpinUntil(child, () => Directory.Exists(staging)));
                await Task.Delay(after);
                return $"{after} ms after _staging/ appeared";
            }

            default:
            {
                // Alternately: the journal's rename (the commit point) or the first table folder the renames create.
                var onJournal = trial % 8 == 3;
                var spins = onJournal ? 0 : rng.Next(0, 20_000);
                var hit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                void OnEvent(object sender, FileSystemEventArgs e)
                {
                    var relative = Path.GetRelativePath(lake, e.FullPath);
                    var trigger = onJournal
                        ? relative.StartsWith("state/journal/", StringComparison.Ordinal) && relative.EndsWith(".json", StringComparison.Ordinal)
                        : relative is "events" or "performance" or "catalog" or "bundles";
                    if (trigger && !hit.Task.IsCompleted)
                    {
                        Thread.SpinWait(spins);
                        child.KillNow();
                        hit.TrySetResult(relative);
                    }
                }

                watcher.Created += OnEvent;
                watcher.Renamed += (s, e) => OnEvent(s, e);
                watcher.EnableRaisingEvents = true;
                await Task.WhenAny(hit.Task, Task.Run(() => SpinUntil(child, () => false, pollSleep: true)));
                await Task.WhenAny(hit.Task, Task.Delay(200)); // the watcher kills first and records second
                return hit.Task.IsCompletedSuccessfully ? $"{spins} spins after '{await hit.Task}' appeared" : "the watched event never came";
            }
        }
    }

    private static void SpinUntil(ChildIngest child, Func<bool> condition, bool pollSleep = false)
    {
        var deadline = Stopwatch.StartNew();
        while (!child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (IOException)
            {
                // The folder vanished while we listed it: keep polling.
            }

            if (pollSleep)
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>Where in the protocol the kill landed, from what it left on disk.</summary>
    private static string Phase(string lake, ChildIngest.Outcome killed)
    {
        if (!killed.Killed)
        {
            return "finished before the kill";
        }

        var journals = LakeAudit.PendingJournals(lake).Count;
        var staged = Directory.Exists(Path.Combine(lake, "_staging"))
                     && Directory.EnumerateFiles(Path.Combine(lake, "_staging"), "*", SearchOption.AllDirectories).Any();
        var ledger = Sentinel.Storage.LakePaths.HasFiles(Path.Combine(lake, "bundles"));
        var data = Sentinel.Storage.LakePaths.HasFiles(Path.Combine(lake, "events"));
        return (journals > 0, staged, ledger, data) switch
        {
            (true, _, true, _) => "mid-commit: ledger visible, journal not yet removed",
            (true, _, false, true) => "mid-commit: some files renamed, ledger not yet",
            (true, _, false, false) => "mid-commit: journal written, nothing renamed yet",
            (false, true, _, _) => "staging: uncommitted files in _staging/",
            (false, false, true, _) => "committed (killed during clean-up or exit)",
            _ => "before staging (start-up, reading)",
        };
    }
}
