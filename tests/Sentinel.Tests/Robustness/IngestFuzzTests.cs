using System.Diagnostics;
using System.Text.RegularExpressions;
using CsCheck;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;
using Xunit.Abstractions;

namespace Sentinel.Tests.Robustness;

/// <summary>
/// Property tests over damaged real bundles (CsCheck): whatever the damage, the in-process ingester
/// ends with a verdict (accepted, partial, quarantined), never an exception or a hang; its memory stays
/// bounded; the lake stays consistent; and no planted secret reaches it.
/// </summary>
/// <remarks>
/// Each case has its own CsCheck seed, derived from a fixed base, so a run is the same every time; a
/// failure prints its seed. Replay one case with CsCheck_Seed=&lt;seed&gt; dotnet test --filter ...;
/// hunt longer with SENTINEL_FUZZ_ITERATIONS=&lt;n&gt;.
/// </remarks>
[Collection(RobustnessCollection.Name)]
[Trait("Category", "Slow")]
public sealed class IngestFuzzTests(ITestOutputHelper output)
{
    private const long MemoryLimit = 400L << 20;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    private static readonly InputStatus[] Verdicts = [InputStatus.Accepted, InputStatus.Partial, InputStatus.Quarantined];

    // Gen.Double favours 0 and 1 (a quarter of draws are exactly 0): positions are drawn uniformly instead.
    private static readonly Gen<double> Uniform = Gen.Int[0, 999_999].Select(i => i / 1e6);

    [Fact]
    public Task Fuzz_DamagedCorpusBundles_NeverCrashTheIngester_StayWithinMemory_AndLeakNoPlantedSecret() =>
        RunAsync(Cases(transplant: false), baseSeed: 20261125, iterations: 90, Corpus.PlantedSecrets);

    [Fact]
    public Task Fuzz_PlantedSecretsMovedIntoKeptFields_NeverReachTheLake() =>
        RunAsync(Cases(transplant: true), baseSeed: 777, iterations: 60, [.. Corpus.PlantedSecrets.Union(BundleMutator.Secrets)]);

    private static Gen<FuzzCase> Cases(bool transplant) =>
        from index in Gen.Int[0, BundleMutator.All.Count - 1]
        let bundle = BundleMutator.All[index]
        from kind in transplant
            ? Gen.Const(MutationKind.TransplantSecret)
            : Gen.OneOf<MutationKind>(bundle.IsArchive ? [.. BundleMutator.ContentKinds, .. BundleMutator.ArchiveKinds] : BundleMutator.ContentKinds)
        from at in Uniform
        from which in Uniform
        from size in Gen.Int[0, 8 << 20]
        from variant in Gen.Int[0, 100_000]
        from raw in Gen.Bool
        select new FuzzCase(bundle, kind, at, which, size, variant, raw);

    private async Task RunAsync(Gen<FuzzCase> gen, ulong baseSeed, int iterations, IReadOnlyList<string> secrets)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("SENTINEL_FUZZ_ITERATIONS"), out var more) && more > 0)
        {
            iterations = more; // a longer hunt on demand; the suite runs the fixed default
        }

        var seeds = Environment.GetEnvironmentVariable("CsCheck_Seed") is { Length: > 0 } one
            ? [one]
            : Enumerable.Range(0, iterations).Select(i => new PCG((uint)(2 * i) + 1, baseSeed + (ulong)i).ToString()).ToList();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = (Heap: GC.GetTotalMemory(forceFullCollection: true), WorkingSet: Environment.WorkingSet);
        using var memory = new MemoryWatch();
        var verdicts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        foreach (var seed in seeds)
        {
            await gen.SampleAsync(async c =>
            {
                var watch = Stopwatch.StartNew();
                var (verdict, notes) = await CheckOneAsync(c, secrets);
                var (heap, workingSet) = memory.Peak;
                Assert.True(heap < MemoryLimit, $"managed heap peaked at {heap >> 20} MiB (limit {MemoryLimit >> 20} MiB)");
                Assert.True(workingSet - baseline.WorkingSet < MemoryLimit,
                    $"working set grew by {(workingSet - baseline.WorkingSet) >> 20} MiB over the {baseline.WorkingSet >> 20} MiB it started at (limit {MemoryLimit >> 20} MiB)");
                var key = $"{c.Kind} → {verdict}";
                verdicts[key] = verdicts.GetValueOrDefault(key) + 1;
                output.WriteLine($"seed {seed}: {c}: {notes} → {verdict} ({watch.ElapsedMilliseconds} ms)");
            }, seed: seed, iter: 1, threads: 1, print: c => c.ToString());
        }

        var (peakHeap, peakWorkingSet) = memory.Peak;
        output.WriteLine($"{seeds.Count} cases in {clock.Elapsed.TotalSeconds:F1} s; managed heap peak {peakHeap >> 20} MiB; working set " +
                         $"{baseline.WorkingSet >> 20} MiB at start, peak {peakWorkingSet >> 20} MiB");
        foreach (var (key, n) in verdicts)
        {
            output.WriteLine($"  {key}: {n}");
        }
    }

    /// <summary>Ingests one damaged bundle into a fresh lake and checks everything that must hold; returns the verdict.</summary>
    private static async Task<(string Verdict, string Notes)> CheckOneAsync(FuzzCase c, IReadOnlyList<string> secrets)
    {
        using var work = new TempDir("sentinel-fuzz");
        var notes = new List<string>();
        var input = BundleMutator.Apply(c, work.Path, notes);
        try
        {
            return (await CheckIngestAsync(input, work.Sub("lake"), secrets), string.Join(' ', notes));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{string.Join(' ', notes)}\n{e.GetType().Name}: {e.Message}", e);
        }
    }

    private static async Task<string> CheckIngestAsync(string input, string lake, IReadOnlyList<string> secrets)
    {
        var options = new IngestOptions([input], TestLake.At(lake), new SentinelConfig(), VersionHints.None);

        // On a worker thread, so a parser stuck in a loop shows up as a timeout rather than a hung test.
        var run = Task.Run(() => Ingester.RunAsync(options));
        IngestResult result;
        try
        {
            result = await run.WaitAsync(CaseTimeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"the ingester did not finish within {CaseTimeout.TotalSeconds:F0} s");
        }

        Assert.Empty(result.Skipped);
        var outcome = Assert.Single(result.Outcomes);
        Assert.Contains(outcome.Status, Verdicts);
        Assert.True(result.ExitCode is ExitCode.Success or ExitCode.PartialFailure, $"exit code {result.ExitCode}");

        LakeAudit.AssertSettled(lake);
        using var reader = new LakeReader(lake);
        var rows = reader.Scalar<long>("SELECT count(*) FROM events");
        Assert.Equal(result.EventsWritten, rows);
        Assert.Equal(rows, reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
        var ledger = LakeAudit.Ledger(lake);
        if (outcome.Status == InputStatus.Quarantined)
        {
            Assert.Equal(0, rows);
            Assert.Empty(ledger);
            Assert.NotEmpty(Quarantine.List(new LakePaths(lake)));
        }
        else
        {
            var row = Assert.Single(ledger);
            Assert.Equal(rows, row.EventsWritten);
            Assert.Equal(outcome.Status == InputStatus.Partial, Quarantine.List(new LakePaths(lake)).Count > 0);
        }

        foreach (var cell in reader.AllCellText())
        {
            foreach (var secret in secrets)
            {
                Assert.False(cell.Contains(secret, StringComparison.Ordinal), $"planted secret '{secret}' reached the lake: stored value '{cell}'");
            }
        }

        return outcome.Status + (outcome.Status == InputStatus.Quarantined ? $" ({Reason(result)})" : "");
    }

    /// <summary>The quarantine reason without the file name, numbers or quoted input, for the summary.</summary>
    private static string Reason(IngestResult result)
    {
        var reason = result.Quarantined.FirstOrDefault()?.Reason ?? "";
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        var text = colon >= 0 ? reason[(colon + 2)..] : reason;
        text = Regex.Replace(Regex.Replace(text, "'[^']*'", "'…'"), "[0-9][0-9,]*", "N").ReplaceLineEndings(" ");
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    /// <summary>Samples the managed heap and the working set every few milliseconds and keeps the peaks.</summary>
    private sealed class MemoryWatch : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _heap;
        private long _workingSet;

        public MemoryWatch() => _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(5, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        public (long Heap, long WorkingSet) Peak
        {
            get
            {
                Sample();
                return (Interlocked.Read(ref _heap), Interlocked.Read(ref _workingSet));
            }
        }

        private void Sample()
        {
            Max(ref _heap, GC.GetTotalMemory(forceFullCollection: false));
            Max(ref _workingSet, Environment.WorkingSet);
        }

        private static void Max(ref long field, long value)
        {
            long seen;
            while (value > (seen = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }
}
