using System.Diagnostics;
using Sentinel.Tests.Support;
using Xunit.Abstractions;

namespace Sentinel.Tests.Robustness;

/// <summary>Two real `sentinel ingest` processes on one lake at once: one writer, the other refused, nothing corrupted.</summary>
[Collection(RobustnessCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ConcurrentIngestTests(ITestOutputHelper output)
{
    private const int Seed = 4242;
    private const int BigEvents = 60_000;

    private static readonly string[] Bundles =
    [
        "m01_molsysmt-0.9.0_user_mgarcia.json", "t02_topomt-0.9.0_dev_kwame.tar.gz", "d03_depdigest-0.10.0_debug_dchen.zip",
        "c03_cryoflux-2.4.0_user_dchen", "p06_pyunitwizard-0.10.1_agent_runner.zip",
    ];

    [Fact]
    public async Task TwoIngestsOnOneLake_OneWritesTheOtherExits4NamingTheLock_AndTheLakeIsTheCleanLake()
    {
        using var dir = new TempDir("sentinel-race");
        // A big bundle makes the writer hold the lock for a while (LargeBundleTests' approach), so the race is real.
        var inputs = new List<string> { BigBundle.Write(dir.Sub("big_bundle"), BigEvents) };
        inputs.AddRange(Bundles.Select(dir.CopyFromCorpus));

        var clean = dir.Sub("clean");
        var alone = await ChildIngest.RunAsync(clean, inputs, dir.Path);
        Assert.True(alone.ExitCode == 0, alone.ToString());
        var expected = LakeAudit.Image(clean);
        Assert.True(expected.EventRows > BigEvents, $"{expected.EventRows} events in the clean lake");
        var key = Path.Combine(clean, "state", "secret.key");
        output.WriteLine($"seed {Seed}; one ingest alone takes {alone.Elapsed.TotalMilliseconds:F0} ms; clean lake: {expected.EventRows} events");

        var rng = new Random(Seed);
        var refused = 0;
        for (var round = 0; round < 3; round++)
        {
            // Second start: at once, early in the first run, or late in it.
            var offset = TimeSpan.FromMilliseconds(alone.Elapsed.TotalMilliseconds * round switch
            {
                0 => 0,
                1 => rng.NextDouble() * 0.3,
                _ => 0.3 + (rng.NextDouble() * 0.4),
            });
            var lake = dir.Sub($"round-{round}");
            Directory.CreateDirectory(Path.Combine(lake, "state"));
            File.Copy(key, Path.Combine(lake, "state", "secret.key"));
            var context = $"round {round} (seed {Seed}, second start +{offset.TotalMilliseconds:F0} ms)";

            // A reader polls the lake the whole time: it must never see a broken file or an uncommitted row.
            using var stop = new CancellationTokenSource();
            var reads = 0;
            var reader = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    LakeAudit.AssertReadersSeeOnlyWholeCommits(lake);
                    reads++;
                    Thread.Sleep(20);
                }
            });

            var clock = Stopwatch.StartNew();
            using var a = ChildIngest.Start(lake, inputs, dir.Path);
            await Task.Delay(offset);
            using var b = ChildIngest.Start(lake, inputs, dir.Path);
            var ra = await a.WaitAsync(TimeSpan.FromMinutes(2));
            var rb = await b.WaitAsync(TimeSpan.FromMinutes(2));
            await stop.CancelAsync();
            try
            {
                await reader;
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{context}: a concurrent reader saw: {e.Message}");
            }

            output.WriteLine($"{context}: first exit {ra.ExitCode} after {ra.Elapsed.TotalMilliseconds:F0} ms, second exit {rb.ExitCode} " +
                             $"after {rb.Elapsed.TotalMilliseconds:F0} ms; {reads} concurrent reads; {clock.Elapsed.TotalSeconds:F1} s");

            if (ra.ExitCode == 4 || rb.ExitCode == 4)
            {
                // A true race: exactly one wrote, the other was refused with a message that names the lock.
                refused++;
                var (winner, loser) = ra.ExitCode == 4 ? (rb, ra) : (ra, rb);
                Assert.True(winner.ExitCode == 0, $"{context}: the writer failed: {winner}");
                Assert.True(loser.ExitCode == 4, $"{context}: {loser}");
                Assert.Contains("locked by another sentinel run", loser.Stderr, StringComparison.Ordinal);
                Assert.Contains(lake, loser.Stderr, StringComparison.Ordinal);
                Assert.Contains("changed nothing", loser.Stderr, StringComparison.Ordinal);
                Assert.True(string.IsNullOrWhiteSpace(loser.Stdout), $"{context}: the refused run printed a summary: {loser.Stdout}");
                Assert.Equal(expected.EventRows, winner.EventsWritten);
            }
            else
            {
                // One finished before the other took the lock: both succeed, the second stores nothing.
                Assert.True(ra.ExitCode == 0 && rb.ExitCode == 0, $"{context}:\nfirst: {ra}\nsecond: {rb}");
                Assert.Equal(expected.EventRows, ra.EventsWritten + rb.EventsWritten);
                Assert.True(ra.EventsWritten == 0 || rb.EventsWritten == 0, $"{context}: both runs wrote events");
            }

            LakeAudit.AssertSettled(lake);
            LakeAudit.AssertSameLake(expected, LakeAudit.Image(lake), context);
            var files = LakeAudit.Layout(lake);

            // A re-run stores nothing new and leaves every file as it was.
            var again = await ChildIngest.RunAsync(lake, inputs, dir.Path);
            Assert.True(again.ExitCode == 0, $"{context}: re-run: {again}");
            Assert.Equal(0, again.EventsWritten);
            Assert.Equal(0, again.PerformanceRowsWritten);
            Assert.Equal(inputs.Count, again.Duplicates);
            Assert.Equal(files, LakeAudit.Layout(lake));
            LakeAudit.AssertSameLake(expected, LakeAudit.Image(lake), context + ", after a re-run");
            Directory.Delete(lake, recursive: true);
        }

        Assert.True(refused > 0, "no round raced: every second ingest started after the first had finished");
    }
}
