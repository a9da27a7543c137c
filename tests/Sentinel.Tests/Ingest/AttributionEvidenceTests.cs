using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// Issue 16, attribution by evidence: a top-level name is a library only when registered or, in open mode, when the
/// upload gives evidence (a coded event, identity keys naming it, a key of its <c>signals</c> catalog); the host of
/// <c>py.warnings</c> is the library most evidenced in the run (events, then timing keys).
/// </summary>
public sealed class AttributionEvidenceTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-attribution");

    public void Dispose() => _dir.Dispose();

    private static string Event(string source, string level, string? code = null, string fingerprint = "00000000000000a1", int second = 0) =>
        "{\"timestamp\":\"2026-10-01T12:00:" + second.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "+00:00\",\"level\":\"" + level
        + "\",\"source\":\"" + source + "\",\"message\":\"m\",\"code\":" + (code is null ? "null" : "\"" + code + "\"")
        + ",\"fingerprint\":\"" + fingerprint + "\",\"extra\":null}";

    private string Bundle(string name, string signals, IEnumerable<string> events, string timings)
    {
        var json = "{\"smonitor_version\":\"0.13.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"python\":{\"version\":\"3.11.9\"},"
            + "\"platform\":{\"system\":\"Linux\",\"machine\":\"x86_64\"},\"runtime\":{\"run_id\":\"" + name + "\"},\"config\":{\"profile\":\"user\"},"
            + "\"signals\":{" + signals + "},\"events\":[" + string.Join(",", events) + "],\"report\":{\"timings\":{" + timings + "}}}";
        var dir = _dir.Sub("in");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Timing = "{\"count\":5,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3}";

    /// <summary>
    /// A healthy topomt run (no coded event): the user's script logs through <c>mgarcia_lab.*</c> more often than
    /// anything else, Python warnings are captured, and a span is named <c>io.load</c> (smonitor's README example).
    /// </summary>
    private string HealthyHostRun() => Bundle("healthy",
        "\"topomt.error.argument\":{\"extra_required\":[]}",
        [
            Event("mgarcia_lab.pipeline", "INFO", second: 1, fingerprint: "00000000000000b1"),
            Event("mgarcia_lab.pipeline", "INFO", second: 2, fingerprint: "00000000000000b1"),
            Event("mgarcia_lab.pipeline", "WARNING", second: 3, fingerprint: "00000000000000b2"),
            Event("py.warnings", "WARNING", second: 4, fingerprint: "00000000000000c1"),
        ],
        "\"topomt.graph.build\":" + Timing + ",\"io.load\":" + Timing);

    [Fact]
    public async Task In_open_mode_a_users_module_and_a_span_name_are_not_libraries_and_python_warnings_go_to_the_evidenced_host()
    {
        var lake = _dir.Sub("lake");

        var result = await SentinelRunner.IngestAsync(new IngestOptions([HealthyHostRun()], TestLake.At(lake), new SentinelConfig(), VersionHints.None));

        Assert.Empty(result.Quarantined);
        using var reader = new LakeReader(lake);
        Assert.Equal(["topomt"], reader.Rows("SELECT DISTINCT library FROM events").Select(r => (string)r[0]!));
        Assert.Equal(4L, reader.Scalar<long>("SELECT count(*) FROM events WHERE library = 'topomt'"));
        Assert.Equal(["topomt.graph.build"], reader.Rows("SELECT function FROM performance").Select(r => (string)r[0]!));
        // The user's module name is kept nowhere (the events keep no source), and the span is counted, not stored.
        Assert.DoesNotContain(reader.AllCellText(), t => t.Contains("mgarcia_lab", StringComparison.Ordinal));
        Assert.Equal(3, result.Redactions.GetValueOrDefault("attributed.not_a_library"));
        Assert.Equal(1, result.Redactions.GetValueOrDefault("dropped.timing_outside_library"));
    }

    [Fact]
    public async Task A_coded_event_is_evidence_a_bare_source_is_not()
    {
        var lake = _dir.Sub("lake");
        var path = Bundle("coded", "",
        [
            Event("cryoflux.solver", "ERROR", code: "CFX-E001", second: 1),
            Event("cryoflux.io", "INFO", second: 2, fingerprint: "00000000000000a2"),
            Event("scratch.notebook", "WARNING", second: 3, fingerprint: "00000000000000a3"),
        ],
        "\"cryoflux.solver.step\":" + Timing + ",\"scratch.notebook.cell\":" + Timing);

        var result = await SentinelRunner.IngestAsync(new IngestOptions([path], TestLake.At(lake), new SentinelConfig(), VersionHints.None));

        using var reader = new LakeReader(lake);
        Assert.Equal(["cryoflux"], reader.Rows("SELECT DISTINCT library FROM events").Select(r => (string)r[0]!));
        Assert.Equal(3L, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(["cryoflux.solver.step"], reader.Rows("SELECT function FROM performance").Select(r => (string)r[0]!));
        Assert.Equal(1, result.Redactions.GetValueOrDefault("attributed.not_a_library"));
    }

    [Fact]
    public async Task A_registered_library_needs_no_other_evidence_and_is_the_host_over_an_evidenced_unregistered_one()
    {
        var config = new SentinelConfig();
        config.Libraries["topomt"] = new LibraryConfig();
        var lake = _dir.Sub("lake");
        var path = Bundle("registered", "\"argdigest.digester\":{\"extra_required\":[]}",
        [
            Event("topomt.graph", "INFO", second: 1),
            Event("argdigest.core", "WARNING", code: "ARGD-W001", second: 2, fingerprint: "00000000000000a2"),
            Event("argdigest.core", "WARNING", code: "ARGD-W001", second: 3, fingerprint: "00000000000000a2"),
            Event("py.warnings", "WARNING", second: 4, fingerprint: "00000000000000a3"),
        ],
        "\"topomt.graph.build\":" + Timing);

        var result = await SentinelRunner.IngestAsync(new IngestOptions([path], TestLake.At(lake), config, VersionHints.None));

        using var reader = new LakeReader(lake);
        // argdigest has more events, but it is not registered: its events are dropped and py.warnings go to topomt.
        Assert.Equal(["topomt"], reader.Rows("SELECT DISTINCT library FROM events").Select(r => (string)r[0]!));
        Assert.Equal(2L, reader.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(2, result.Redactions.GetValueOrDefault("dropped.unregistered_library"));
        Assert.Equal(["topomt.graph.build"], reader.Rows("SELECT function FROM performance").Select(r => (string)r[0]!));
    }

    [Fact]
    public void Inspect_shows_the_same_attribution()
    {
        var report = Ingester.Inspect(HealthyHostRun(), new SentinelConfig(), VersionHints.None);

        Assert.Equal(["topomt"], report.Kept.Select(g => g.Library).Distinct());
    }
}
