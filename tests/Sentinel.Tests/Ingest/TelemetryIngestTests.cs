using System.Text;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>`sentinel ingest` of safe-schema telemetry files (*.telemetry.jsonl), the files POST /v1/events stores.</summary>
public sealed class TelemetryIngestTests
{
    private const string Ok = """{"timestamp":"2026-10-04T17:42:53Z","level":"INFO","library":"molsysmt","run_id":"r1"}""";

    [Fact]
    public async Task BadLinesAmongGoodOnes_GoodKept_BadQuarantinedWithTheirLineNumbers()
    {
        using var dir = new TempDir();
        var file = dir.Sub("mixed.telemetry.jsonl");
        var lines = new[]
        {
            Ok,
            Ok.Replace("53Z", "54Z", StringComparison.Ordinal).Replace("}", ",\"source\":\"" + new string('x', 40_000) + "\"}", StringComparison.Ordinal),
            "",
            Ok.Replace("53Z", "55Z", StringComparison.Ordinal).Replace("INFO", "ERROR", StringComparison.Ordinal),
            Ok.Replace("}", ",\"message\":\"no\"}", StringComparison.Ordinal),
            Ok.Replace("53Z", "56Z", StringComparison.Ordinal),
        };
        await File.WriteAllTextAsync(file, string.Join("\r\n", lines));

        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), file);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        Assert.Equal(3, outcome.EventsWritten);
        Assert.Equal([$"{file} line 2", $"{file} line 5"], outcome.Problems.Select(p => p.Where));
        Assert.Contains("longer than 16 KiB", outcome.Problems[0].Message, StringComparison.Ordinal);
        Assert.Equal("message", outcome.Problems[1].Field);
        using var lake = new LakeReader(dir.Sub("lake"));
        Assert.Equal(3, lake.Scalar<long>("SELECT count(*) FROM events WHERE library = 'molsysmt' AND version = 'unknown'"));
        Assert.Equal(1, lake.Scalar<long>("SELECT count(*) FROM events WHERE level = 'ERROR'"));
    }

    [Theory]
    [InlineData("", "no telemetry records")]
    [InlineData("\n \n", "no telemetry records")]
    public async Task NoRecordAtAll_RejectedWhole(string content, string reason)
    {
        using var dir = new TempDir();
        var file = dir.Sub("empty.telemetry.jsonl");
        await File.WriteAllTextAsync(file, content);

        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), file);

        var q = Assert.Single(result.Quarantined);
        Assert.Contains(reason, q.Reason, StringComparison.Ordinal);
        Assert.Equal(0, result.EventsWritten);
    }

    [Fact]
    public void Inspect_ShowsTheRecordsUnderTheirLibraryAndVersion()
    {
        using var dir = new TempDir();
        var file = dir.Sub("x.telemetry.jsonl");
        File.WriteAllText(file, TelemetryRecords.Body(TelemetryRecords.FromBundle("m01_molsysmt-0.9.0_user_mgarcia.json", "molsysmt", "0.9.0")));

        var report = Ingester.Inspect(file, new SentinelConfig(), VersionHints.None);

        Assert.Equal("accepted", report.Verdict);
        var group = Assert.Single(report.Kept);
        Assert.Equal(("molsysmt", "0.9.0", 6L), (group.Library, group.Version, group.Events));
    }

    [Fact]
    public void Splitter_SameLinesWhateverTheChunking()
    {
        var text = "a\r\n\n  \nbb" + new string('c', 30) + "\nlast";
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = Split(bytes, bytes.Length, 64);
        Assert.Equal(["1:a", "4:bb" + new string('c', 30), "5:last"], expected);
        for (var size = 1; size < 12; size++)
        {
            Assert.Equal(expected, Split(bytes, size, 64));
        }

        Assert.Equal(["1:a", "4:TOO LONG", "5:last"], Split(bytes, 3, 16));
    }

    private static List<string> Split(byte[] bytes, int chunk, int max)
    {
        var seen = new List<string>();
        var splitter = new LineSplitter(max);
        bool On(ReadOnlySpan<byte> line, int number, bool tooLong)
        {
            seen.Add($"{number}:{(tooLong ? "TOO LONG" : Encoding.UTF8.GetString(line))}");
            return true;
        }

        for (var at = 0; at < bytes.Length; at += chunk)
        {
            splitter.Feed(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)), On);
        }

        splitter.Finish(On);
        return seen;
    }
}
