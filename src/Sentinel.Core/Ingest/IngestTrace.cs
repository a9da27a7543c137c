using System.Diagnostics;
using System.Globalization;

namespace Sentinel.Ingest;

/// <summary>
/// SENTINEL_TRACE=1 prints, on stderr, the time, managed heap and resident set after every input
/// and every flush of an ingest: where the memory of a run goes, without a profiler.
/// </summary>
internal static class IngestTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("SENTINEL_TRACE") == "1";
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Line(string what, long buffered = -1)
    {
        if (!Enabled)
        {
            return;
        }

        var info = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace: at {Clock.Elapsed.TotalSeconds,7:0.00} s  managed {GC.GetTotalMemory(false) >> 20,4} MB  heap {info.HeapSizeBytes >> 20,4} MB  committed {info.TotalCommittedBytes >> 20,4} MB  rss {process.WorkingSet64 >> 20,4} MB  peak {process.PeakWorkingSet64 >> 20,4} MB  gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}{(buffered >= 0 ? $"  buffered {buffered}" : "")}  {what}"));
    }
}
