using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

public sealed class LargeBundleTests
{
    /// <summary>
    /// A directory bundle with 200,000 real-shaped events (~130 MB of events.jsonl), made by
    /// resampling a corpus run with fresh timestamps. Streams through; every event lands once.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Ingest_DirectoryBundleWith200kEvents_StreamsEveryEventIntoTheLake()
    {
        using var dir = new TempDir();
        var bundle = dir.Sub("big_bundle");
        Directory.CreateDirectory(bundle);
        var source = Corpus.PathOf("m09_molsysmt-0.10.1_debug_mgarcia");
        File.Copy(Path.Combine(source, "bundle.json"), Path.Combine(bundle, "bundle.json"));
        var templates = File.ReadLines(Path.Combine(source, "events.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        const int events = 200_000;
        var start = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var w = new StreamWriter(Path.Combine(bundle, "events.jsonl"), false, new UTF8Encoding(false), 1 << 20))
        {
            for (var i = 0; i < events; i++)
            {
                var e = templates[i % templates.Count];
                e["timestamp"] = start.AddTicks(i * 10L * 1000).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'");
                await w.WriteLineAsync(e.ToJsonString());
            }
        }

        var size = new FileInfo(Path.Combine(bundle, "events.jsonl")).Length;
        Assert.True(size > 100L << 20, $"events.jsonl is only {size:N0} bytes");

        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), bundle);

        Assert.True(result.ExitCode == 0, string.Join("; ", result.Quarantined.Select(q => q.Reason)));
        Assert.Equal(events, result.EventsWritten);
        using var reader = new LakeReader(dir.Sub("lake"));
        Assert.Equal(events, reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
        Assert.Equal(events, reader.Scalar<long>("SELECT events_written FROM bundles"));
    }
}
