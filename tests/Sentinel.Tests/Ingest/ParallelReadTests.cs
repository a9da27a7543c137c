using System.Text;
using System.Text.Json.Nodes;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// Issue 19: the lines of a large events.jsonl are reduced on worker threads (<c>ingest.threads</c>) and kept in file
/// order. Whatever the number of threads, the lake is the same, byte for byte, bad lines included.
/// </summary>
public sealed class ParallelReadTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A corpus run's events replayed <paramref name="replicas"/> times, each replica a second later: the event's running
    /// number (from 1), its JSON and its (new) timestamp text.
    /// </summary>
    private static IEnumerable<(int N, string Json, string Timestamp)> Replayed(IReadOnlyList<string> events, int replicas)
    {
        var n = 0;
        for (var r = 0; r < replicas; r++)
        {
            foreach (var text in events)
            {
                var ev = JsonNode.Parse(text)!.AsObject();
                var t = DateTimeOffset.Parse((string)ev["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(r);
                var timestamp = t.ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
                ev["timestamp"] = timestamp;
                yield return (++n, ev.ToJsonString(), timestamp);
            }
        }
    }

    /// <summary>Ingests <paramref name="input"/> once per thread count, each into its own lake, all lakes with one secret (event ids are keyed with it).</summary>
    private static async Task<(List<IngestResult> Results, List<string> Lakes)> IngestWithEachAsync(TempDir dir, string input, IEnumerable<int> threads)
    {
        var results = new List<IngestResult>();
        var lakes = new List<string>();
        foreach (var t in threads)
        {
            var lake = dir.Sub($"lake{t}");
            if (lakes.Count > 0)
            {
                Directory.CreateDirectory(Path.Combine(lake, "state"));
                File.Copy(Path.Combine(lakes[0], "state", "secret.key"), Path.Combine(lake, "state", "secret.key"));
            }

            results.Add(await SentinelRunner.IngestAsync(new IngestOptions([input], TestLake.At(lake, new FixedClock(Now)), Config(t), VersionHints.None)));
            lakes.Add(lake);
        }

        return (results, lakes);
    }

    /// <summary>
    /// A directory bundle of several thousand lines (several batches of 1,024): a corpus run's events replayed with
    /// shifted timestamps, and among them the bad lines a stranger's file has: not JSON, a bare NaN (Python's dialect,
    /// kept), a line over max_event_kb, a timestamp out of range, a missing level, blank lines and CRLF endings.
    /// </summary>
    private static string LargeBundle(string root, int replicas)
    {
        var source = Corpus.PathOf("m02_molsysmt-0.9.0_dev_dchen");
        var dir = Path.Combine(root, "in", "large_molsysmt-0.9.0");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(source, "bundle.json"), Path.Combine(dir, "bundle.json"));
        var lines = File.ReadAllLines(Path.Combine(source, "events.jsonl")).Where(l => l.Length > 0).ToList();
        var sb = new StringBuilder();
        foreach (var (n, text, timestamp) in Replayed(lines, replicas))
        {
            switch (n % 997)
            {
                case 11: sb.Append("{\"timestamp\": \"2026-10-02T03:27:20+00:00\", \"level\": \"INFO\", \"message\": oops}\n"); break;
                case 23: sb.Append(text.Replace("\"level\":", "\"duration\": NaN, \"level\":", StringComparison.Ordinal)).Append('\n'); continue;
                case 37: sb.Append("{\"pad\": \"").Append('x', 9000).Append("\"}\n"); break;
                case 41: sb.Append(text.Replace(timestamp, "1999-01-01T00:00:00+00:00", StringComparison.Ordinal)).Append('\n'); continue;
                case 53: sb.Append("{\"timestamp\": \"2026-10-02T03:27:20+00:00\", \"message\": \"no level\"}\n"); break;
                case 67: sb.Append("\n   \n"); break;
                case 79: sb.Append(text).Append("\r\n"); continue;
            }

            sb.Append(text).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "events.jsonl"), sb.ToString(), new UTF8Encoding(false));
        return Path.Combine(root, "in");
    }

    /// <summary>
    /// A single-file bundle whose `events` array holds several thousand elements (a corpus bundle's events replayed), with
    /// the bad elements valid JSON can carry: not an object, a bare NaN, over max_event_kb, out-of-range timestamp,
    /// missing level.
    /// </summary>
    private static string LargeArrayBundle(string root, int replicas)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json")))!.AsObject();
        var source = bundle["events"]!.AsArray().Select(e => e!.ToJsonString()).ToList();
        var dir = Path.Combine(root, "in-array");
        Directory.CreateDirectory(dir);
        var events = new List<string>();
        foreach (var (n, json, timestamp) in Replayed(source, replicas))
        {
            switch (n % 997)
            {
                case 11: events.Add("42"); break;
                case 23: events.Add(json.Replace("\"level\":", "\"duration\": NaN, \"level\":", StringComparison.Ordinal)); continue;
                case 37: events.Add("{\"pad\": \"" + new string('x', 9000) + "\"}"); break;
                case 41: events.Add(json.Replace(timestamp, "1999-01-01T00:00:00+00:00", StringComparison.Ordinal)); continue;
                case 53: events.Add("{\"timestamp\": \"2026-10-02T03:27:20+00:00\", \"message\": \"no level\"}"); break;
            }

            events.Add(json);
        }

        bundle.Remove("events");
        var head = bundle.ToJsonString();
        File.WriteAllText(Path.Combine(dir, "large_molsysmt-0.9.0.json"),
            head[..^1] + ", \"events\": [\n" + string.Join(",\n", events) + "\n]}", new UTF8Encoding(false));
        return dir;
    }

    [Fact]
    public async Task A_large_events_array_gives_the_same_lake_whatever_the_number_of_threads()
    {
        using var dir = new TempDir();
        var input = LargeArrayBundle(dir.Path, replicas: 400);
        var (results, lakes) = await IngestWithEachAsync(dir, input, [1, 3]);

        var outcome = Assert.Single(results[0].Outcomes);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        Assert.True(results[0].EventsWritten > 1000, $"{results[0].EventsWritten} events written");
        Assert.True(outcome.EventsRejected >= 8, $"{outcome.EventsRejected} rejected");
        Assert.Contains("event larger than 8 KiB (ingest.limits.max_event_kb)", results[0].Quarantined[0].Reason + string.Join("|", Directory.GetFiles(Path.Combine(lakes[0], "quarantine"), "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Select(File.ReadAllText)), StringComparison.Ordinal);
        Assert.Equal(results[0].Outcomes.Select(o => (o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)),
            results[1].Outcomes.Select(o => (o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)));
        Assert.Equal(results[0].Quarantined.Select(q => q.Reason), results[1].Quarantined.Select(q => q.Reason));
        using var a = new LakeReader(lakes[0]);
        using var b = new LakeReader(lakes[1]);
        var rows = Text(a.Rows("SELECT * FROM events"));
        Assert.True(rows.Count > 1000);
        Assert.Equal(rows, Text(b.Rows("SELECT * FROM events")));
        Assert.Equal(Text(a.Rows("SELECT * EXCLUDE (ingest_id) FROM bundles")), Text(b.Rows("SELECT * EXCLUDE (ingest_id) FROM bundles")));
    }

    private static SentinelConfig Config(int threads, int maxEvents = 2_000_000)
    {
        var config = new SentinelConfig();
        config.Ingest.Threads = threads;
        config.Ingest.Limits.MaxEventKb = 8;
        config.Ingest.Limits.MaxEventsPerBundle = maxEvents;
        return config;
    }

    [Fact]
    public async Task The_lake_is_the_same_byte_for_byte_whatever_the_number_of_threads()
    {
        using var dir = new TempDir();
        var input = LargeBundle(dir.Path, replicas: 400); // 13 events × 400 = 5,200 lines, 6 batches
        var (results, lakes) = await IngestWithEachAsync(dir, input, [1, 2, 4]);

        var one = results[0];
        Assert.True(one.EventsWritten > 4000, $"{one.EventsWritten} events written");
        var outcome = Assert.Single(one.Outcomes);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        Assert.True(outcome.EventsRejected >= 15, $"{outcome.EventsRejected} rejected"); // the bad lines, quarantined one by one
        foreach (var other in results.Skip(1))
        {
            Assert.Equal(one.EventsWritten, other.EventsWritten);
            Assert.Equal(one.Outcomes.Select(o => (o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)),
                other.Outcomes.Select(o => (o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)));
            Assert.Equal(one.Quarantined.Select(q => q.Reason.Replace(lakes[0], "", StringComparison.Ordinal)),
                other.Quarantined.Select(q => q.Reason));
        }

        // Every Parquet file of the lake, byte for byte (same clock, same secret: the same contents in the same
        // partitions; a file's name carries its ingest's random id, so files are paired in order).
        string[] Files(string lake, string folder) => [.. Directory.GetFiles(Path.Combine(lake, folder), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(lake, f)).Order(StringComparer.Ordinal)];
        foreach (var folder in new[] { "events", "performance", "catalog" })
        {
            var expected = Files(lakes[0], folder);
            Assert.NotEmpty(expected);
            foreach (var lake in lakes.Skip(1))
            {
                Assert.Equal(expected.Select(Path.GetDirectoryName), Files(lake, folder).Select(Path.GetDirectoryName));
                foreach (var (a, b) in expected.Zip(Files(lake, folder)))
                {
                    Assert.True(File.ReadAllBytes(Path.Combine(lakes[0], a)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(lake, b))), $"{b} differs");
                }
            }
        }

        using var first = new LakeReader(lakes[0]);
        var rows = Text(first.Rows("SELECT * FROM events"));
        foreach (var lake in lakes.Skip(1))
        {
            using var reader = new LakeReader(lake);
            Assert.Equal(rows, Text(reader.Rows("SELECT * FROM events")));
            Assert.Equal(Text(first.Rows("SELECT * EXCLUDE (ingest_id) FROM bundles")), Text(reader.Rows("SELECT * EXCLUDE (ingest_id) FROM bundles")));
        }

        var quarantined = Directory.GetFiles(Path.Combine(lakes[0], "quarantine"), "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(quarantined);
    }

    [Fact]
    public async Task An_upload_over_the_events_limit_is_refused_the_same_way_in_parallel()
    {
        using var dir = new TempDir();
        var input = LargeBundle(dir.Path, replicas: 300); // 3,900 lines
        var sequential = await SentinelRunner.IngestAsync(new IngestOptions([input], TestLake.At(dir.Sub("a"), new FixedClock(Now)), Config(1, maxEvents: 2500), VersionHints.None));
        var parallel = await SentinelRunner.IngestAsync(new IngestOptions([input], TestLake.At(dir.Sub("b"), new FixedClock(Now)), Config(3, maxEvents: 2500), VersionHints.None));

        var a = Assert.Single(sequential.Quarantined);
        var b = Assert.Single(parallel.Quarantined);
        Assert.Contains("more than 2,500 events (ingest.limits.max_events_per_bundle)", a.Reason, StringComparison.Ordinal);
        Assert.Equal(a.Reason.Replace(dir.Sub("a"), "", StringComparison.Ordinal), b.Reason.Replace(dir.Sub("b"), "", StringComparison.Ordinal));
        Assert.Equal(0, parallel.EventsWritten);
        Assert.False(Directory.Exists(Path.Combine(dir.Sub("b"), "events")) && Directory.EnumerateFiles(Path.Combine(dir.Sub("b"), "events"), "*.parquet", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void Ingest_threads_outside_0_to_64_is_a_config_error()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "sentinel.yml");
        File.WriteAllText(file, "ingest:\n  threads: -1\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, explicitlyGiven: true));
        Assert.Contains("ingest.threads", e.Message, StringComparison.Ordinal);
    }

    private static List<string> Text(List<object?[]> rows) =>
        [.. rows.Select(r => string.Join('\u241f', r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))];
}
