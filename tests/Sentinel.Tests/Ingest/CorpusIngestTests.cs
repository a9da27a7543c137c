using System.Text.Json;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

public sealed class CorpusIngestTests(CorpusLakeFixture lake) : IClassFixture<CorpusLakeFixture>
{
    private static readonly HashSet<string> CorpusLibraries = ["molsysmt", "pyunitwizard", "argdigest", "depdigest", "topomt", "cryoflux"];

    public static TheoryData<string> GoodBundles()
    {
        var data = new TheoryData<string>();
        foreach (var b in Corpus.Bundles)
        {
            data.Add(b.GetProperty("path").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Ingest_AllGoodBundles_AcceptsEveryOneAndQuarantinesNothing()
    {
        Assert.Empty(lake.Result.Quarantined);
        Assert.Empty(lake.Result.Skipped);
        Assert.Equal(Corpus.Bundles.Count(), lake.Result.Inputs);
        // Archive twins (same run, same bytes inside) are the same upload: acknowledged, stored once.
        var twins = Corpus.Bundles.Count(b => b.TryGetProperty("same_run_as", out var s) && s.ValueKind == JsonValueKind.Array);
        Assert.True(lake.Result.Duplicates > 0);
        Assert.True(lake.Result.Duplicates < twins);
        Assert.Equal(0, lake.Result.ExitCode);
    }

    [Theory]
    [MemberData(nameof(GoodBundles))]
    public void Lake_PerBundle_MatchesExpectedLevelsCodesAndFingerprints(string path)
    {
        var expected = Corpus.Bundle(path);
        var receipt = lake.ReceiptOf(path);
        var where = $"starts_with(bundle_id, '{receipt}')";

        Assert.Equal(expected.GetProperty("n_events").GetInt64(), lake.Reader.Scalar<long>($"SELECT count(*) FROM events WHERE {where}"));

        var levels = lake.Reader.CountBy($"SELECT level, count(*) FROM events WHERE {where} GROUP BY level");
        var expectedLevels = expected.GetProperty("events_by_level").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(expectedLevels.OrderBy(k => k.Key), levels.OrderBy(k => k.Key));

        var codes = lake.Reader.CountBy($"SELECT coalesce(code, '<none>'), count(*) FROM events WHERE {where} GROUP BY 1");
        var expectedCodes = expected.GetProperty("events_by_code").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(expectedCodes.OrderBy(k => k.Key), codes.OrderBy(k => k.Key));

        var fingerprints = lake.Reader.Rows($"SELECT DISTINCT trace_hash FROM events WHERE {where} ORDER BY 1").Select(r => (string)r[0]!).ToList();
        var expectedFingerprints = expected.GetProperty("fingerprints").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedFingerprints, fingerprints);
    }

    [Theory]
    [MemberData(nameof(GoodBundles))]
    public void Lake_PerBundle_AttributesEventsByLibraryAndResolvesVersions(string path)
    {
        var expected = Corpus.Bundle(path);
        var truth = expected.GetProperty("truth");
        var host = truth.GetProperty("library").GetString()!;
        var where = $"starts_with(bundle_id, '{lake.ReceiptOf(path)}')";

        // Events whose source is not a library namespace (py.warnings, an exception class, none)
        // belong to the bundle's host library.
        var expectedByLibrary = new Dictionary<string, long>();
        foreach (var p in expected.GetProperty("events_by_library").EnumerateObject())
        {
            var library = p.Name.StartsWith('<') ? host : p.Name;
            expectedByLibrary[library] = expectedByLibrary.GetValueOrDefault(library) + p.Value.GetInt64();
        }

        var byLibrary = lake.Reader.CountBy($"SELECT library, count(*) FROM events WHERE {where} GROUP BY library");
        Assert.Equal(expectedByLibrary.OrderBy(k => k.Key), byLibrary.OrderBy(k => k.Key));

        var hostVersions = lake.Reader.Rows($"SELECT DISTINCT version FROM events WHERE {where} AND library = '{host}'")
            .Select(r => (string)r[0]!).ToList();
        if (hostVersions.Count > 0)
        {
            var visible = truth.GetProperty("version_visible_in_bundle").GetBoolean();
            var expectedVersion = visible ? truth.GetProperty("library_version").GetString()! : "unknown";
            Assert.Equal([expectedVersion], hostVersions);
        }
    }

    [Fact]
    public void Lake_NeverInventsALibraryFromAMissingDependencyEvent()
    {
        // DEP-ERR-MISS-001 carries extra.library = the *missing* package (openmm, unyt, ...).
        var libraries = lake.Reader.Rows("SELECT DISTINCT library FROM events UNION SELECT DISTINCT library FROM performance")
            .Select(r => (string)r[0]!).ToHashSet();
        Assert.Subset(CorpusLibraries, libraries);
        Assert.DoesNotContain(lake.Reader.Rows("SELECT DISTINCT library || ' ' || version FROM events").Select(r => (string)r[0]!),
            s => s.StartsWith("openmm", StringComparison.Ordinal) || s.StartsWith("unyt", StringComparison.Ordinal));
    }

    [Fact]
    public void Lake_PerformanceRows_MatchReportTimingsOfEachRun()
    {
        foreach (var b in Corpus.Bundles.Where(b => b.GetProperty("timings").EnumerateObject().Any()))
        {
            var path = b.GetProperty("path").GetString()!;
            var where = $"starts_with(bundle_id, '{lake.ReceiptOf(path)}')";
            foreach (var t in b.GetProperty("timings").EnumerateObject())
            {
                var p95 = lake.Reader.Rows($"SELECT p95_ms FROM performance WHERE {where} AND function = '{t.Name}'");
                Assert.Single(p95);
                Assert.Equal(t.Value.GetProperty("p95_ms").GetDouble(), (double)p95[0][0]!, 3);
            }
        }
    }

    [Fact]
    public void Lake_TimestampsAreUtcParquetTimestamps_AndVersionsStayStrings()
    {
        var type = lake.Reader.Rows("SELECT typeof(timestamp), typeof(version) FROM events LIMIT 1")[0];
        Assert.Equal("TIMESTAMP WITH TIME ZONE", type[0]);
        Assert.Equal("VARCHAR", type[1]);
        var window = lake.Reader.Rows("SELECT min(timestamp)::VARCHAR, max(timestamp)::VARCHAR FROM events")[0];
        Assert.StartsWith("2026-09", (string)window[0]!);
        Assert.StartsWith("2026-11", (string)window[1]!);
    }

    [Fact]
    public void Lake_HoldsNoPlantedSecret_AnywhereOutsideQuarantine()
    {
        var secrets = Corpus.PlantedSecrets;
        Assert.NotEmpty(secrets);
        foreach (var cell in lake.Reader.AllCellText())
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, cell, StringComparison.Ordinal);
            }
        }

        // state/ holds only the deployment key and journals, never bundle content.
        foreach (var file in Directory.EnumerateFiles(lake.Lake, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/quarantine/", StringComparison.Ordinal) && !f.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(secrets, s => text.Contains(s, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Lake_CatalogRows_AreAttributedScrubbedAndCapped()
    {
        var rows = lake.Reader.Rows("SELECT library, code, title, hint FROM catalog");
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Contains((string)r[0]!, CorpusLibraries.Append("unknown")));
        Assert.Contains(rows, r => (string)r[1]! == "MSM-ERR-IO-002" && (string?)r[2] == "Input file not found");
        Assert.All(rows, r => Assert.True(((string?)r[3] ?? "").Length <= 301));
        // A prefixed code that no event of the bundle carried is not guessed onto the host library.
        Assert.DoesNotContain(rows, r => (string)r[0]! == "molsysmt" && !((string)r[1]!).StartsWith("MSM-", StringComparison.Ordinal) && ((string)r[1]!).Contains('-', StringComparison.Ordinal));
        Assert.Equal(lake.Reader.Scalar<long>("SELECT count(*) FROM catalog"), lake.Reader.Scalar<long>("SELECT sum(catalog_rows)::BIGINT FROM bundles"));
        Assert.True(lake.Result.Redactions.ContainsKey("dropped.catalog_unattributed"));
    }

    [Fact]
    public void Ledger_HasOneRowPerStoredUpload_WithKeyedRunKeys()
    {
        var bundles = lake.Reader.Scalar<long>("SELECT count(*) FROM bundles");
        Assert.Equal(lake.Result.Accepted, bundles);
        Assert.Equal(bundles, lake.Reader.Scalar<long>("SELECT count(DISTINCT bundle_id) FROM bundles"));
        var runIds = Corpus.Bundles.Select(b => b.GetProperty("run_id").GetString()!).ToHashSet();
        var runKeys = lake.Reader.Rows("SELECT DISTINCT run_key FROM events").Select(r => (string)r[0]!).ToList();
        Assert.DoesNotContain(runKeys, runIds.Contains); // pseudonymous: never the raw run_id
        Assert.Equal(runIds.Count - Corpus.Bundles.Count(b => b.GetProperty("n_events").GetInt32() == 0 && !b.TryGetProperty("same_run_as", out _)), runKeys.Count);
    }
}
