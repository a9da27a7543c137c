using System.Diagnostics;
using System.Text.Json;

namespace Sentinel.Tests.Robustness;

/// <summary>
/// A real `sentinel ingest --json` child process (sentinel.dll from the test output, run with
/// `dotnet`, CI=true), started without waiting, so a test can race it, watch its lake, or kill it.
/// </summary>
internal sealed class ChildIngest : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly Stopwatch _clock;
    private long _exitedAtTicks = -1;

    private ChildIngest(Process process)
    {
        _process = process;
        _clock = Stopwatch.StartNew();
        // When it ended, not when a test got round to asking.
        process.Exited += (_, _) => Interlocked.CompareExchange(ref _exitedAtTicks, _clock.Elapsed.Ticks, -1);
        process.EnableRaisingEvents = true;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool Killed)
    {
        /// <summary>The `--json` summary (only a run that got to the end prints one).</summary>
        public JsonElement Summary => JsonDocument.Parse(Stdout).RootElement;

        public long EventsWritten => Summary.GetProperty("events_written").GetInt64();

        public long PerformanceRowsWritten => Summary.GetProperty("performance_rows_written").GetInt64();

        public int Duplicates => Summary.GetProperty("duplicates").GetInt32();

        public override string ToString() =>
            $"exit {ExitCode} after {Elapsed.TotalMilliseconds:F0} ms{(Killed ? " (killed)" : "")}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    public bool HasExited => _process.HasExited;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts `sentinel ingest --lake LAKE --json INPUTS...` in <paramref name="workingDirectory"/>.</summary>
    public static ChildIngest Start(string lake, IReadOnlyList<string> inputs, string workingDirectory)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sentinel.dll"));
        psi.ArgumentList.Add("ingest");
        psi.ArgumentList.Add("--lake");
        psi.ArgumentList.Add(lake);
        psi.ArgumentList.Add("--json");
        foreach (var input in inputs)
        {
            psi.ArgumentList.Add(input);
        }

        psi.Environment["CI"] = "true";
        // The key comes from <lake>/state/secret.key (seeded by the tests), never from the environment.
        psi.Environment.Remove("SENTINEL_SECRET");
        psi.Environment.Remove("SENTINEL_LAKE");
        psi.Environment.Remove("SENTINEL_CONFIG");
        return new ChildIngest(Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet"));
    }

    /// <summary>Runs an ingest to the end (2 minutes at most).</summary>
    public static async Task<Outcome> RunAsync(string lake, IReadOnlyList<string> inputs, string workingDirectory)
    {
        using var child = Start(lake, inputs, workingDirectory);
        return await child.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>SIGKILL to the whole process tree, now, on the calling thread (e.g. a file watcher's).</summary>
    public void KillNow()
    {
        try
        {
            // The process itself first: walking the tree reads /proc and takes milliseconds, long enough
            // for a commit to finish. `dotnet sentinel.dll` runs in this one process; then sweep the tree.
            _process.Kill();
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGKILL to the whole process tree (unless it is gone already), then waits for it to be gone.</summary>
    public async Task<Outcome> KillAsync()
    {
        KillNow();
        return await FinishAsync(TimeSpan.FromSeconds(30));
    }

    public Task<Outcome> WaitAsync(TimeSpan timeout) => FinishAsync(timeout);

    private async Task<Outcome> FinishAsync(TimeSpan timeout)
    {
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"sentinel ingest did not finish within {timeout.TotalSeconds:F0} s");
            }
        }

        var exitedAt = Interlocked.Read(ref _exitedAtTicks);
        var elapsed = exitedAt >= 0 ? TimeSpan.FromTicks(exitedAt) : _clock.Elapsed;
        // A process ended by a signal reports 128 + the signal number: 137 is SIGKILL.
        return new Outcome(_process.ExitCode, await _stdout, await _stderr, elapsed, Killed: _process.ExitCode == 128 + 9);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
