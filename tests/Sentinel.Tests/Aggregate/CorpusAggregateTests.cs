using System.Text.Json;
using Sentinel.Aggregate;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

/// <summary>The summaries of the corpus against its ground truth (expected.json → libraries).</summary>
public sealed class CorpusAggregateTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>
{
    private readonly Summaries _s = fixture.Summaries;

    private static IEnumerable<(string Library, JsonElement Truth)> Libraries =>
        Corpus.Expected.GetProperty("libraries").EnumerateObject().Select(p => (p.Name, p.Value));

    [Fact]
    public void Second_aggregate_was_incremental_and_read_only_the_new_ingests()
    {
        Assert.Equal("full", fixture.First.Mode);
        Assert.Equal("incremental", fixture.Second.Mode);
        Assert.True(fixture.Second.IngestsFolded < fixture.Second.IngestsTotal);
        Assert.Equal(fixture.Second.IngestsTotal, fixture.Summaries.Meta.Ingests);
    }

    [Fact]
    public void Every_library_and_version_of_the_ground_truth_is_summarised()
    {
        foreach (var (library, truth) in Libraries)
        {
            var expected = truth.GetProperty("versions_seen").EnumerateArray().Select(v => v.GetString()!).ToList();
            var actual = _s.Versions.Where(v => v.Library == library && v.Version != "unknown").Select(v => v.Version).ToList();
            Assert.Equal(expected, actual); // versions_seen is in PEP 440 order, and so are the summaries
        }
    }

    [Fact]
    public void Codes_are_first_observed_in_the_versions_of_the_ground_truth()
    {
        foreach (var (library, truth) in Libraries)
        {
            foreach (var code in truth.GetProperty("codes_first_observed_in").EnumerateObject())
            {
                var first = _s.Problems.Where(p => p.Library == library && p.Code == code.Name)
                    .Select(p => p.FirstVersion).Min(Pep440Comparer.Instance);
                Assert.True(code.Value.GetString() == first, $"{library} {code.Name}: expected first in {code.Value}, summaries say {first}");
            }
        }
    }

    [Fact]
    public void New_codes_of_each_version_are_flagged_new_in_that_version()
    {
        var checkedCodes = 0;
        foreach (var (library, truth) in Libraries)
        {
            foreach (var version in truth.GetProperty("new_codes_observed_by_version").EnumerateObject())
            {
                foreach (var code in version.Value.EnumerateArray().Select(c => c.GetString()!))
                {
                    var flagged = _s.Regressions.Where(r => r.Library == library && r.Kind == RegressionKind.NewInVersion && r.Code == code).ToList();
                    Assert.True(flagged.Count > 0 && flagged.All(r => r.Version == version.Name),
                        $"{library} {code} should be new in {version.Name}: {string.Join(", ", flagged.Select(r => r.Version))}");
                    Assert.All(flagged, r => Assert.False(string.IsNullOrEmpty(r.Reason)));
                    Assert.Contains(_s.Problems, p => p.Library == library && p.Code == code && p.NewInVersion == version.Name);
                    checkedCodes++;
                }
            }
        }

        Assert.True(checkedCodes >= 10);
    }

    [Fact]
    public void Codes_present_from_the_first_version_are_never_flagged_new()
    {
        foreach (var (library, truth) in Libraries)
        {
            var firstVersion = truth.GetProperty("versions_seen")[0].GetString();
            foreach (var code in truth.GetProperty("codes_first_observed_in").EnumerateObject().Where(c => c.Value.GetString() == firstVersion))
            {
                Assert.DoesNotContain(_s.Regressions, r => r.Library == library && r.Kind == RegressionKind.NewInVersion && r.Code == code.Name);
            }
        }
    }

    [Fact]
    public void Every_observed_p95_regression_is_flagged_with_its_evidence()
    {
        foreach (var (library, truth) in Libraries)
        {
            foreach (var expected in truth.GetProperty("p95_regressions_observed").EnumerateArray())
            {
                var key = expected.GetProperty("timing_key").GetString();
                var flagged = _s.Regressions.SingleOrDefault(r => r.Library == library && r.Kind == RegressionKind.Performance && r.Function == key);
                Assert.True(flagged is not null, $"{library} {key}: not flagged");
                Assert.Equal(expected.GetProperty("from_version").GetString(), flagged.FromVersion);
                Assert.Equal(expected.GetProperty("to_version").GetString(), flagged.Version);
                Assert.True(flagged.Ratio >= 1.5, $"{key}: ratio {flagged.Ratio}");
                Assert.NotNull(flagged.PValue);
                Assert.True(flagged.RunsBefore >= 1 && flagged.RunsAfter >= 1);
                // The corpus has one to three runs per side: too few to confirm, so the reason says so.
                if (flagged.Status == RegressionStatus.Suspected)
                {
                    Assert.Contains("run", flagged.Reason, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void No_performance_regression_is_flagged_where_none_was_observed()
    {
        var expected = Libraries.SelectMany(l => l.Truth.GetProperty("p95_regressions_observed").EnumerateArray()
            .Select(r => (l.Library, r.GetProperty("timing_key").GetString()))).ToHashSet();
        var flagged = _s.Regressions.Where(r => r.Kind == RegressionKind.Performance).Select(r => (r.Library, r.Function)).ToList();
        Assert.All(flagged, f => Assert.Contains(f, expected));
    }

    [Fact]
    public void Median_p95_per_version_matches_the_per_run_timings_of_the_ground_truth()
    {
        // Independent of the lake: expected.json → bundles[].timings, one value per run (archive twins are
        // one run), runs with at least 5 calls, attributed to the run's library version.
        var perRun = new Dictionary<(string Function, string Version), Dictionary<string, double>>();
        foreach (var bundle in Corpus.Bundles)
        {
            var truth = bundle.GetProperty("truth");
            var installed = truth.GetProperty("libraries_installed");
            foreach (var timing in bundle.GetProperty("timings").EnumerateObject())
            {
                var library = timing.Name.Split('.')[0];
                if (!installed.TryGetProperty(library, out var version) || timing.Value.GetProperty("count").GetInt64() < 5)
                {
                    continue;
                }

                var key = (timing.Name, version.GetString()!);
                if (!perRun.TryGetValue(key, out var runs))
                {
                    perRun[key] = runs = [];
                }

                runs[bundle.GetProperty("run_id").GetString()!] = timing.Value.GetProperty("p95_ms").GetDouble();
            }
        }

        var compared = 0;
        foreach (var (library, truth) in Libraries)
        {
            foreach (var function in truth.GetProperty("p95_ms_median_by_version").EnumerateObject())
            {
                foreach (var version in function.Value.EnumerateObject())
                {
                    var values = perRun[(function.Name, version.Name)].Values.Order().ToList();
                    var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
                    var row = _s.Performance.Single(p => p.Library == library && p.Function == function.Name && p.Version == version.Name);
                    Assert.Equal(values.Count, row.QualifiedRuns);
                    // expected.json rounds timings to 3 decimals; the lake keeps them whole.
                    Assert.InRange(row.P95MedianMs!.Value - median, -0.0015, 0.0015);
                    compared++;
                }
            }
        }

        Assert.True(compared >= 20);
    }

    [Fact]
    public void Version_lists_are_in_pep440_order_with_unknown_last()
    {
        foreach (var library in _s.Libraries)
        {
            Assert.Equal(Pep440Comparer.Sort(library.Versions), library.Versions);
            var ranks = _s.Versions.Where(v => v.Library == library.Library).Select(v => v.VersionRank).ToList();
            Assert.Equal(Enumerable.Range(0, ranks.Count), ranks);
        }

        Assert.All(_s.Problems, p => Assert.Equal(Pep440Comparer.Sort(p.Versions), p.Versions));
        Assert.Contains(_s.Versions, v => v is { Library: "molsysmt", Version: "1.0.0rc1" });
        var molsysmt = _s.Libraries.Single(l => l.Library == "molsysmt");
        Assert.Equal("1.0.0rc1", molsysmt.LatestVersion);
    }

    [Fact]
    public void Run_counts_and_error_free_rates_equal_a_direct_count_over_the_raw_lake()
    {
        using var lake = new LakeReader(fixture.Lake);
        var direct = lake.Rows("""
            WITH runs AS (
                SELECT library, version, run_key FROM events UNION SELECT library, version, run_key FROM performance
            ), bad AS (
                SELECT DISTINCT library, version, run_key FROM events WHERE level IN ('ERROR', 'CRITICAL')
            )
            SELECT r.library, r.version, count(*)::BIGINT, (count(*) - count(b.run_key))::BIGINT
            FROM runs r LEFT JOIN bad b USING (library, version, run_key)
            GROUP BY ALL
            """).ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => ((long)r[2]!, (long)r[3]!));
        Assert.Equal(direct.Count, _s.Versions.Count);
        foreach (var v in _s.Versions)
        {
            var (runs, errorFree) = direct[(v.Library, v.Version)];
            Assert.Equal(runs, v.Runs);
            Assert.Equal(errorFree, v.ErrorFreeRuns);
            Assert.Equal(Math.Round((double)errorFree / runs, 4), v.ErrorFreeRate);
        }
    }

    [Fact]
    public void Problem_counts_equal_a_direct_count_over_the_raw_lake()
    {
        // Grouped here in C#, independently of summaries.sql: a problem is a library × code; an uncoded one an
        // exception type × source function, where a trace hash's source is the one most of its runs report, and only
        // when at least privacy.min_runs_public runs report it; else the problem is its trace hash.
        using var lake = new LakeReader(fixture.Lake);
        var rows = lake.Rows("""
            SELECT library, coalesce(code, ''), trace_hash, exception_type, source, run_key
            FROM events WHERE level IN ('WARNING', 'ERROR', 'CRITICAL') OR code IS NOT NULL
            """).Select(r => (Library: (string)r[0]!, Code: (string)r[1]!, Trace: (string)r[2]!, Exception: (string?)r[3], Source: (string?)r[4], Run: (string)r[5]!)).ToList();
        var k = AggregatedCorpusFixture.Config.Privacy.MinRunsPublic;
        var perTrace = rows.GroupBy(r => (r.Library, r.Code, r.Trace)).ToDictionary(g => g.Key, g =>
        {
            var best = g.Where(r => r.Source is not null).GroupBy(r => r.Source!)
                .Select(s => (Source: s.Key, Runs: s.Select(r => r.Run).Distinct().Count()))
                .OrderByDescending(s => s.Runs).ThenBy(s => s.Source, StringComparer.Ordinal).FirstOrDefault();
            return (Exception: g.Select(r => r.Exception).Where(x => x is not null).Order(StringComparer.Ordinal).FirstOrDefault(),
                Source: best.Runs >= k ? best.Source : null);
        });
        string Key((string Library, string Code, string Trace) t) => t.Code != "" ? t.Code
            : perTrace[t] is var v && v.Source is null ? "trace:" + t.Trace
            : $"{v.Exception ?? "-"}@{v.Source}";
        var direct = rows.GroupBy(r => (r.Library, Key((r.Library, r.Code, r.Trace)))).ToDictionary(g => g.Key, g => (
            Events: (long)g.Count(), Runs: (long)g.Select(r => r.Run).Distinct().Count(),
            Variants: g.Select(r => r.Trace).Distinct().Order(StringComparer.Ordinal).ToList()));
        Assert.True(direct.Count < rows.Select(r => (r.Library, r.Code, r.Trace)).Distinct().Count(), "the corpus has codes with several trace hashes");
        Assert.Equal(direct.Count, _s.Problems.Count);
        foreach (var p in _s.Problems)
        {
            var d = direct[(p.Library, p.ProblemKey)];
            Assert.Equal((d.Events, d.Runs), (p.Events, p.RunsAffected));
            Assert.Equal(d.Variants, p.Variants);
            Assert.Contains(p.TraceHash, p.Variants);
            Assert.Equal(p.Events, p.Daily.Sum(d => d.Events));
        }
    }

    [Fact]
    public void Trend_points_carry_their_events_and_runs()
    {
        using var lake = new LakeReader(fixture.Lake);
        var direct = lake.Rows("""
            SELECT library, CAST(timezone('UTC', "timestamp") AS DATE)::VARCHAR, level, count(*)::BIGINT, count(DISTINCT run_key)::BIGINT
            FROM events GROUP BY ALL
            """).ToDictionary(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!), r => ((long)r[3]!, (long)r[4]!));
        Assert.Equal(direct.Count, _s.Trends.Count);
        Assert.All(_s.Trends, t => Assert.Equal(direct[(t.Library, t.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), t.Level)], (t.Events, t.Runs)));
        Assert.All(_s.Problems, p => Assert.All(p.Daily, d => Assert.InRange(d.Runs, 1, d.Events)));
    }

    [Fact]
    public void Catalog_titles_reach_the_problems()
    {
        Assert.Contains(_s.Problems, p => p.Code == "MSM-ERR-MEM-001" && !string.IsNullOrEmpty(p.Title));
    }

    [Fact]
    public void Summaries_hold_no_planted_secret()
    {
        var dir = Path.Combine(fixture.Lake, "summary");
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            var text = File.ReadAllText(file);
            foreach (var secret in Corpus.PlantedSecrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Parquet_summaries_hold_the_same_rows_as_the_json()
    {
        using var db = Sentinel.Storage.DuckDb.Open();
        foreach (var table in new[] { "libraries", "versions", "problems", "performance", "trends", "environments", "regressions" })
        {
            var dir = Path.Combine(fixture.Lake, "summary");
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM read_parquet('{Path.Combine(dir, table + ".parquet")}')";
            var parquetRows = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, table + ".json")));
            Assert.Equal(json.RootElement.GetArrayLength(), parquetRows);
        }
    }
}
