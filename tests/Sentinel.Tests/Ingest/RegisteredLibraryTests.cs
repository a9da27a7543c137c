using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// Trust boundary, item 1 (issue 15): once libraries are registered, only their events, timings and catalog entries
/// are stored; the user's own modules and phantom "libraries" (a span named <c>io.load</c>) are dropped and counted.
/// </summary>
public sealed class RegisteredLibraryTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-registry");

    public void Dispose() => _dir.Dispose();

    private static string Event(string source, string code, string library, string fingerprint) =>
        "{\"timestamp\":\"2026-10-01T12:00:00+00:00\",\"level\":\"ERROR\",\"source\":\"" + source + "\",\"message\":\"m\",\"code\":\"" + code
        + "\",\"exception_type\":\"RuntimeError\",\"fingerprint\":\"" + fingerprint + "\",\"extra\":{\"library\":\"" + library + "\",\"version\":\"1.2.0\"}}";

    /// <summary>A run of the registered library (namespace <c>alpha</c>) beside a user's module and a phantom <c>io</c> span.</summary>
    private string MixedBundle()
    {
        var events = string.Join(",",
            Event("alpha.core", "ALPHA-E001", "alpha", "00000000000000a1"),
            Event("alpha.io", "ALPHA-W002", "alpha", "00000000000000a2"),
            Event("mgarcia_lab.pipeline", "LAB-E001", "mgarcia_lab", "00000000000000b1"),
            Event("io.load", "IO-E001", "io", "00000000000000c1"));
        var json = "{\"smonitor_version\":\"0.13.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"python\":{\"version\":\"3.11.9\"},"
            + "\"platform\":{\"system\":\"Linux\",\"machine\":\"x86_64\"},\"runtime\":{\"run_id\":\"r1\"},\"config\":{\"profile\":\"user\"},"
            + "\"codes\":{\"ALPHA-E001\":{\"title\":\"Alpha failed\"},\"LAB-E001\":{\"title\":\"Maria's pipeline failed\"}},"
            + "\"events\":[" + events + "],\"report\":{\"timings\":{"
            + "\"alpha.core.solve\":{\"count\":5,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3},"
            + "\"mgarcia_lab.pipeline.step\":{\"count\":5,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3}}}}";
        var path = Path.Combine(_dir.Sub("in"), "mixed.json");
        Directory.CreateDirectory(_dir.Sub("in"));
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task WithLibrariesRegistered_OnlyTheirEventsTimingsAndCatalogAreStored_UnderTheRegisteredName()
    {
        var config = new SentinelConfig();
        config.Libraries["alpha-tools"] = new LibraryConfig { Namespaces = ["alpha"] };
        var lake = _dir.Sub("lake");

        var result = await SentinelRunner.IngestAsync(new IngestOptions([MixedBundle()], TestLake.At(lake), config, VersionHints.None));

        Assert.Equal(ExitCode.Success, result.ExitCode);
        Assert.Equal(2, result.Outcomes.Single().EventsWritten); // the two alpha events
        Assert.Equal(3, result.Redactions["dropped.unregistered_library"]); // 2 events, 1 timing (the lab's catalog entry has no registered owner: unattributed)
        using var reader = new LakeReader(lake);
        Assert.Equal(["alpha-tools"], reader.Rows("SELECT DISTINCT library FROM events").Select(r => (string)r[0]!));
        Assert.Equal(0L, reader.Scalar<long>("SELECT count(*) FROM events WHERE code IN ('LAB-E001', 'IO-E001') OR source LIKE 'mgarcia%' OR source LIKE 'io.%'"));
        Assert.Equal(["alpha.core.solve"], reader.Rows("SELECT function FROM performance").Select(r => (string)r[0]!));
        Assert.Equal(["ALPHA-E001"], reader.Rows("SELECT code FROM catalog").Select(r => (string)r[0]!));
        Assert.DoesNotContain(Directory.EnumerateDirectories(lake, "library=*", SearchOption.AllDirectories), d => d.Contains("mgarcia", StringComparison.Ordinal) || d.EndsWith("library=io", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithNothingRegistered_EverythingIsKept_ForLocalExploration()
    {
        var lake = _dir.Sub("lake");

        var result = await SentinelRunner.IngestAsync(new IngestOptions([MixedBundle()], TestLake.At(lake), new SentinelConfig(), VersionHints.None));

        Assert.False(result.Redactions.ContainsKey("dropped.unregistered_library"));
        using var reader = new LakeReader(lake);
        Assert.Contains("mgarcia_lab", reader.Rows("SELECT DISTINCT library FROM events").Select(r => (string)r[0]!));
    }

    [Theory]
    [InlineData("libraries:\n  MolSysMT: {}\n", "libraries.MolSysMT")]
    [InlineData("libraries:\n  molsysmt:\n    namespaces: [Mol-SysMT]\n", "libraries.molsysmt.namespaces")]
    [InlineData("libraries:\n  molsysmt:\n    docs: http://example.org\n", "libraries.molsysmt.docs")]
    [InlineData("libraries:\n  molsysmt:\n    namespace: [molsysmt]\n", "namespace")]
    public void A_BadLibraryEntry_IsAConfigErrorNamingIt(string yaml, string named)
    {
        File.WriteAllText(Path.Combine(_dir.Path, "sentinel.yml"), yaml);
        var r = SentinelRunner.Cli(_dir.Path, "ingest", MixedBundle(), "--lake", _dir.Sub("lake"));
        Assert.Equal(ExitCode.InvalidUsage, r.ExitCode);
        Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Sub("lake")));
    }
}
