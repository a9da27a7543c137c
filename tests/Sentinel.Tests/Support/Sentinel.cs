using System.Diagnostics;
using Sentinel.Config;
using Sentinel.Ingest;

namespace Sentinel.Tests.Support;

/// <summary>Runs the real ingest stage in-process, or the real `sentinel` binary as a child process.</summary>
public static class SentinelRunner
{
    public static Task<IngestResult> IngestAsync(string lake, params string[] paths) =>
        Ingester.RunAsync(new IngestOptions(paths, TestLake.At(lake), new SentinelConfig(), VersionHints.None));

    public static Task<IngestResult> IngestAsync(IngestOptions options) => Ingester.RunAsync(options);

    public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs sentinel.dll (built next to the tests) with `dotnet`.</summary>
    public static ProcessResult Cli(string? workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "sentinel.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CI"] = "true";
        psi.Environment.Remove("SENTINEL_LAKE");
        psi.Environment.Remove("SENTINEL_CONFIG");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("sentinel did not finish in 120 s: " + string.Join(' ', args));
        }

        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
