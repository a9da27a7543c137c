using System.Text.Json.Nodes;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// The ingest buffer holds at most FlushRows rows: a bundle larger than that is staged in slices,
/// and deduplication carries over from slice to slice. None of this may show in the lake's rows.
/// </summary>
public sealed class FlushSliceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Ingest_WithAFlushBufferOfSevenRows_StoresTheSameRowsAsOneFlush()
    {
        using var dir = new TempDir();
        var whole = dir.Sub("whole");
        var sliced = dir.Sub("sliced");

        // The whole corpus: archive twins of one run, a bundle that repeats its own events, partial
        // and rejected inputs, bundles of hundreds of events (sliced into 7-row flushes here).
        var once = await SentinelRunner.IngestAsync(Options(whole, flushRows: 250_000));
        Directory.CreateDirectory(Path.Combine(sliced, "state"));
        File.Copy(Path.Combine(whole, "state", "secret.key"), Path.Combine(sliced, "state", "secret.key"));
        var inSlices = await SentinelRunner.IngestAsync(Options(sliced, flushRows: 7));

        Assert.True(once.EventsWritten > 100, $"{once.EventsWritten} events");
        Assert.True(once.EventsDuplicate > 0, "the corpus has repeated events");
        Assert.Equal(once.EventsWritten, inSlices.EventsWritten);
        Assert.Equal(once.EventsDuplicate, inSlices.EventsDuplicate);
        Assert.Equal(once.Outcomes.Select(o => (o.Input, o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)),
            inSlices.Outcomes.Select(o => (o.Input, o.Status, o.EventsWritten, o.EventsDuplicate, o.EventsRejected)));
        Assert.True(EventFiles(sliced) > EventFiles(whole) * 5, $"{EventFiles(sliced)} event files in slices, {EventFiles(whole)} in one flush");
        using var a = new LakeReader(whole);
        using var b = new LakeReader(sliced);
        Assert.True(a.Scalar<long>("SELECT max(events_written) FROM bundles") > 7, "no bundle larger than one slice");
        foreach (var sql in new[]
        {
            "SELECT * FROM events ORDER BY ALL",
            "SELECT * FROM performance ORDER BY ALL",
            "SELECT * FROM catalog ORDER BY ALL",
            "SELECT * EXCLUDE (ingest_id) FROM bundles ORDER BY ALL",
        })
        {
            var expected = Text(a.Rows(sql));
            Assert.True(expected.Count > 0, sql);
            Assert.Equal(expected, Text(b.Rows(sql)));
        }
    }

    /// <summary>
    /// Without a run_id, an event's id is the keyed hash of its content alone and the run_key is the
    /// bundle's own: two uploads of the same run-less events collapse to one row only through the
    /// ingest's memory of run-less ids, which must also hold across slices.
    /// </summary>
    [Theory]
    [InlineData(250_000)]
    [InlineData(2)]
    public async Task Ingest_RunlessEventsInTwoUploads_AreStoredOnce(int flushRows)
    {
        using var dir = new TempDir();
        var inputs = dir.Sub("inputs");
        Directory.CreateDirectory(inputs);
        var bundle = JsonNode.Parse(File.ReadAllText(Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json")))!.AsObject();
        bundle["runtime"]!.AsObject().Remove("run_id");
        var events = bundle["events"]!.AsArray();
        foreach (var e in events)
        {
            e!.AsObject().Remove("run_id");
        }

        File.WriteAllText(Path.Combine(inputs, "a.json"), bundle.ToJsonString());
        bundle["note"] = "the same events in another upload";
        File.WriteAllText(Path.Combine(inputs, "b.json"), bundle.ToJsonString());

        var result = await SentinelRunner.IngestAsync(
            new IngestOptions([inputs], TestLake.At(dir.Sub("lake")), new SentinelConfig(), VersionHints.None) { FlushRows = flushRows });

        Assert.Equal(2, result.Accepted);
        Assert.Equal(events.Count, result.EventsWritten);
        Assert.Equal(events.Count, result.EventsDuplicate);
        using var reader = new LakeReader(dir.Sub("lake"));
        Assert.Equal(events.Count, reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
        Assert.Equal(2, reader.Scalar<long>("SELECT count(DISTINCT run_key) FROM bundles"));
    }

    /// <summary>
    /// A run exported twice (overlapping events) in one batch, and a bundle that repeats its own events: with a buffer
    /// of one or two rows each bundle spans several flushes, so a later slice must find the ids of its own earlier
    /// slices (kept in memory while its bundle is read) and those of the other upload (read back from the files staged
    /// before its bundle began).
    /// </summary>
    [Theory]
    [InlineData(250_000)]
    [InlineData(2)]
    [InlineData(1)]
    public async Task Ingest_OverlappingExportsAndRepeatsInOneBatch_AreStoredOnceWhateverTheFlushSize(int flushRows)
    {
        using var dir = new TempDir();
        var inputs = new[]
        {
            Corpus.PathOf("m13_molsysmt-0.10.1_user_priya.json"),
            Corpus.PathOf("bad/overlap_reexport_of_m13_molsysmt-0.10.1_user_priya.json"),
            Corpus.PathOf("bad/append_events_duplicated"),
        };

        var result = await SentinelRunner.IngestAsync(
            new IngestOptions(inputs, TestLake.At(dir.Sub("lake")), new SentinelConfig(), VersionHints.None) { FlushRows = flushRows });

        Assert.Equal(3, result.Accepted);
        Assert.Equal(18, result.EventsWritten);   // 10 of the run exported twice, 8 of the repeating bundle
        Assert.Equal(6, result.EventsDuplicate);  // 3 + 3
        using var reader = new LakeReader(dir.Sub("lake"));
        Assert.Equal(18, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(18, reader.Scalar<long>("SELECT count(DISTINCT event_id) FROM events"));
    }

    private static IngestOptions Options(string lake, int flushRows) =>
        new([Corpus.Root], TestLake.At(lake, new FixedClock(Now)), new SentinelConfig(), VersionHints.None) { FlushRows = flushRows };

    private static int EventFiles(string lake) => Directory.GetFiles(Path.Combine(lake, "events"), "*.parquet", SearchOption.AllDirectories).Length;

    private static List<string> Text(List<object?[]> rows) =>
        [.. rows.Select(r => string.Join('\u241f', r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))];
}
