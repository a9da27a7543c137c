using System.Reflection;
using Sentinel.Aggregate;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Triage;

public sealed class HeuristicTriageTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>
{
    private IReadOnlyList<(ProblemSignal Signal, Verdict Verdict)> Judged =>
        SignalBuilder.Build(fixture.Summaries).Select(s => (s, Heuristics.Judge(s))).ToList();

    [Fact]
    public void Every_planted_new_code_is_named_a_regression_introduced_in_its_version()
    {
        var named = 0;
        foreach (var library in Corpus.Expected.GetProperty("libraries").EnumerateObject())
        {
            foreach (var version in library.Value.GetProperty("planted").GetProperty("new_codes").EnumerateObject())
            {
                foreach (var code in version.Value.EnumerateArray().Select(c => c.GetString()!))
                {
                    var verdicts = Judged.Where(j => j.Signal.Library == library.Name && j.Signal.Code == code).ToList();
                    Assert.True(verdicts.Count > 0, $"{library.Name} {code}: no triage signal");
                    Assert.All(verdicts, v =>
                    {
                        Assert.Equal("regression_introduced", v.Verdict.Kind);
                        Assert.Contains(code, v.Verdict.Summary, StringComparison.Ordinal);
                        Assert.Contains($"first appears in {version.Name}", v.Verdict.Summary, StringComparison.Ordinal);
                    });
                    named++;
                }
            }
        }

        Assert.True(named >= 10);
    }

    [Fact]
    public void Every_planted_slowdown_is_named_with_its_function_versions_and_ratio()
    {
        foreach (var library in Corpus.Expected.GetProperty("libraries").EnumerateObject())
        {
            foreach (var planted in library.Value.GetProperty("planted").GetProperty("regressions").EnumerateArray())
            {
                var function = planted.GetProperty("timing_key").GetString()!;
                var version = planted.GetProperty("version").GetString()!;
                var (signal, verdict) = Judged.Single(j => j.Signal.Kind == "performance" && j.Signal.Function == function);
                Assert.Equal("performance_regression", verdict.Kind);
                Assert.Equal(version, signal.PerfToVersion);
                Assert.Contains(function, verdict.Summary, StringComparison.Ordinal);
                Assert.Contains($"to {version}", verdict.Summary, StringComparison.Ordinal);
                Assert.Contains($"×{signal.PerfRatio!.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}", verdict.Summary, StringComparison.Ordinal);
                Assert.True(signal.PerfRatio >= 1.5);
            }
        }
    }

    [Fact]
    public void A_missing_dependency_code_gets_an_install_or_docs_fix()
    {
        var miss = Judged.Where(j => j.Signal.Code == "DEP-ERR-MISS-001").ToList();
        Assert.NotEmpty(miss);
        Assert.All(miss, m =>
        {
            Assert.Equal("missing_dependency", m.Verdict.Kind);
            Assert.Contains("install", m.Verdict.SuggestedFix, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Theory]
    [InlineData("APP-ERR-PERMISSION-001", "PermissionError", false)]
    [InlineData("APP-ERR-IO-002", "FileNotFoundInputError", false)]
    [InlineData("MSM-WARN-DEP-001", null, false)] // DEP here is a deprecation
    [InlineData("APP-ERR-MISSING-001", null, true)]
    [InlineData(null, "ModuleNotFoundError", true)]
    public void Dependency_problems_are_recognised_by_whole_tokens_not_substrings(string? code, string? exception, bool dependency)
    {
        var any = Judged.First(j => j.Signal.Kind == "problem").Signal;
        var signal = any with { Code = code, ExceptionType = exception, NewInVersion = null, NewInStatus = null, FixedInVersion = null, FixedInStatus = null };
        Assert.Equal(dependency, Heuristics.Judge(signal).Kind == "missing_dependency");
    }

    private ProblemSignal Plain => Judged.First(j => j.Signal.Kind == "problem").Signal with
    {
        Code = "ALPHA-E001", ExceptionType = "ValueError", Level = "ERROR", NewInVersion = null, NewInStatus = null,
        FixedInVersion = null, FixedInStatus = null, Events = 12, RunsAffected = 6,
        Platforms = ["Linux"], PythonVersions = ["3.11"], LibraryPlatforms = ["Linux", "Windows"], LibraryPythonVersions = ["3.11"],
    };

    [Fact]
    public void Compatibility_needs_enough_runs_on_each_platform_compared()
    {
        Assert.Equal("compatibility", Heuristics.Judge(Plain).Kind);

        // One run from a second platform does not make it a library platform (SignalBuilder leaves it out)...
        Assert.NotEqual("compatibility", Heuristics.Judge(Plain with { LibraryPlatforms = ["Linux"] }).Kind);
        // ...and a problem seen in too few runs is no evidence either.
        Assert.NotEqual("compatibility", Heuristics.Judge(Plain with { RunsAffected = SignalBuilder.MinRunsPerEnvironment - 1 }).Kind);
    }

    [Fact]
    public void Signals_name_only_platforms_and_python_versions_with_enough_runs_of_the_library()
    {
        foreach (var signal in SignalBuilder.Build(fixture.Summaries))
        {
            foreach (var (dimension, values) in new[] { ("platform", signal.LibraryPlatforms), ("python_version", signal.LibraryPythonVersions) })
            {
                Assert.All(values, v => Assert.True(fixture.Summaries.Environments
                    .Where(e => e.Library == signal.Library && e.Dimension == dimension && e.Value == v).Sum(e => e.Runs) >= SignalBuilder.MinRunsPerEnvironment,
                    $"{signal.Library} {dimension} {v}"));
            }
        }

        // The corpus has thin environments (a persona's platform seen once) that are now left out.
        Assert.Contains(fixture.Summaries.Environments.GroupBy(e => (e.Library, e.Dimension, e.Value)),
            g => g.Sum(e => e.Runs) < SignalBuilder.MinRunsPerEnvironment);
    }

    [Fact]
    public void A_confirmed_fix_outranks_every_other_rule_and_a_suspected_one_does_not()
    {
        var confirmedFix = Plain with { FixedInVersion = "2.0.0", FixedInStatus = "confirmed", NewInVersion = "1.0.0", NewInStatus = "confirmed" };
        Assert.Equal("fixed", Heuristics.Judge(confirmedFix).Kind);
        Assert.Equal("high", Heuristics.Judge(confirmedFix).Confidence);

        var suspectedFix = Plain with { FixedInVersion = "2.0.0", FixedInStatus = "suspected" };
        Assert.Equal("compatibility", Heuristics.Judge(suspectedFix).Kind);
    }

    [Fact]
    public void The_rule_table_in_docs_triage_md_is_the_rule_table_of_the_code()
    {
        var doc = File.ReadAllText(Path.Combine(Corpus.RepoRoot(), "docs", "triage.md"));
        var section = doc[doc.IndexOf("## Heuristic verdicts", StringComparison.Ordinal)..];
        var rows = section.Split('\n').SkipWhile(l => !l.StartsWith("| 1 |", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith('|')).ToList();
        var kinds = rows.Select(r => r.Split('|')[3].Trim()).Select(k => k[(k.IndexOf('`') + 1)..k.LastIndexOf('`')]).ToList();
        Assert.Equal(Heuristics.RuleKinds, kinds);

        var dependencyRow = rows.Single(r => r.Contains("`missing_dependency`", StringComparison.Ordinal));
        Assert.All(Heuristics.DependencyExceptionTypes, e => Assert.Contains($"`{e}`", dependencyRow, StringComparison.Ordinal));
        Assert.All(Heuristics.DependencyCodeTokens, t => Assert.Contains($"`{t}`", dependencyRow, StringComparison.Ordinal));
    }

    [Fact]
    public void Smonitors_own_codes_are_never_proposed_as_library_problems()
    {
        // The corpus has SMONITOR-EVENT-DUPLICATE-SUMMARY and SMONITOR-SIGNAL-SLOW as WARNING problems of molsysmt.
        Assert.Contains(fixture.Summaries.Problems, p => p.Code is { } c && c.StartsWith("SMONITOR-", StringComparison.Ordinal) && p.Level == "WARNING");

        Assert.DoesNotContain(Judged, j => j.Signal.Code is { } c && c.StartsWith("SMONITOR-", StringComparison.Ordinal));
    }

    [Fact]
    public void Verdicts_are_deterministic_and_carry_severity_from_the_level_and_impact_from_runs()
    {
        var first = Judged;
        var second = Judged;
        Assert.Equal(first.Select(j => j.Verdict), second.Select(j => j.Verdict));
        foreach (var (signal, verdict) in first.Where(j => j.Signal.Kind == "problem" && j.Verdict.Kind is "regression_introduced" or "recurring_error"))
        {
            Assert.Equal(signal.Level switch { "CRITICAL" => "critical", "ERROR" => "high", _ => "medium" }, verdict.Severity);
            // A problem new in a version is measured over that version's runs; any other over all the library's runs.
            var expected = verdict.Kind == "regression_introduced" && signal.NewInVersionRuns is > 0
                ? (double)signal.NewInRunsAffected!.Value / signal.NewInVersionRuns.Value
                : signal.ImpactShare;
            Assert.Equal(expected, verdict.Impact);
        }
    }

    [Fact]
    public void The_signal_record_cannot_carry_raw_event_fields()
    {
        // The only fields a signal has: aggregated facts. Adding one must be a conscious change here.
        string[] allowed =
        [
            "Library", "Kind", "Code", "TraceHash", "Function", "Level", "ExceptionType", "CatalogTitle", "Events", "RunsAffected",
            "LibraryRuns", "ImpactShare", "Versions", "FirstVersion", "LastVersion", "LatestLibraryVersion", "NewInVersion",
            "NewInStatus", "FixedInVersion", "FixedInStatus", "Platforms", "PythonVersions", "LibraryPlatforms", "LibraryPythonVersions",
            "FirstSeen", "LastSeen", "PerfFromVersion", "PerfToVersion", "PerfRatio", "PerfPValue", "PerfBeforeMs", "PerfAfterMs",
            "PerfRunsBefore", "PerfRunsAfter", "PerfStatus", "ProblemKey", "Variants", "SourceFunction", "NewInRunsAffected", "NewInVersionRuns",
        ];
        var properties = typeof(ProblemSignal).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.Equal(allowed.Order(StringComparer.Ordinal), properties.Select(p => p.Name).Order(StringComparer.Ordinal));

        // Only scalars, strings, dates and lists of strings: no object, dictionary or JSON that could smuggle a payload.
        Type[] scalars = [typeof(string), typeof(long), typeof(double), typeof(long?), typeof(double?), typeof(DateOnly?), typeof(IReadOnlyList<string>)];
        Assert.All(properties, p => Assert.Contains(p.PropertyType, scalars));

        // None of the lake's raw-only columns (nor bundle fields that are never stored) is a signal field.
        string[] raw = ["EventId", "BundleId", "RunKey", "Timestamp", "ReceivedAt", "Source", "Profile", "SmonitorVersion", "Message", "Extra", "Context", "Argv", "Runtime"];
        Assert.All(raw, r => Assert.DoesNotContain(properties, p => p.Name == r));

        // And the builder reads the summaries only: its one input type.
        var build = typeof(SignalBuilder).GetMethod(nameof(SignalBuilder.Build))!;
        Assert.Equal([typeof(Summaries), typeof(string)], build.GetParameters().Select(p => p.ParameterType));
    }

    [Fact]
    public void No_planted_secret_reaches_a_signal_or_a_verdict()
    {
        var text = System.Text.Json.JsonSerializer.Serialize(Judged.Select(j => new { j.Signal, j.Verdict }));
        Assert.All(Corpus.PlantedSecrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }
}
