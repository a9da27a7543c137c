using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Issues;
using Sentinel.Storage;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Aggregate;

/// <summary>
/// Issue 16, grouping: one code is one problem, one proposal and one planned issue, whatever trace hashes it has
/// (observed: the same new error twice as "new in 2.2.0 (confirmed)"); uncoded problems are told apart by function.
/// </summary>
public sealed class ProblemGroupingTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-grouping");

    public void Dispose() => _dir.Dispose();

    private static readonly SyntheticEvent Info = new("INFO");

    // 2.1.0: 6 clean runs. 2.2.0: 6 runs, each raising ALPHA-E777; the fingerprint differs by run (install paths in
    // the fingerprint input), so the code has three trace hashes. Two uncoded RuntimeErrors come from two functions.
    private async Task<string> LakeAsync()
    {
        var lake = _dir.Sub("lake");
        var input = _dir.Sub("in");
        for (var i = 0; i < 6; i++)
        {
            SyntheticBundle.Write(input, "alpha", "2.1.0", i, [Info]);
            var variant = "00000000000000e" + (i % 3);
            SyntheticBundle.Write(input, "alpha", "2.2.0", i, [new SyntheticEvent("ERROR", "ALPHA-E777", variant)]);
        }

        Assert.Empty((await SentinelRunner.IngestAsync(lake, input)).Quarantined);
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: true));
        return lake;
    }

    [Fact]
    public async Task One_code_is_one_problem_one_proposal_and_one_planned_issue()
    {
        var lake = await LakeAsync();
        var s = Summaries.Load(TestLake.At(lake));

        var problem = Assert.Single(s.Problems, p => p.Code == "ALPHA-E777");
        Assert.Equal(["00000000000000e0", "00000000000000e1", "00000000000000e2"], problem.Variants);
        Assert.Equal("ALPHA-E777", problem.ProblemKey);
        Assert.Equal(6, problem.RunsAffected);
        Assert.Equal("2.2.0", problem.NewInVersion);
        Assert.Single(s.Regressions, r => r.Kind == RegressionKind.NewInVersion);

        await Triager.RunAsync(TestLake.At(lake), "alpha", null, CancellationToken.None);
        var proposals = new ProposalStore(TestLake.At(lake)).Load();
        var proposal = Assert.Single(proposals, p => p.Signal.Code == "ALPHA-E777");
        Assert.Equal("alpha|problem|ALPHA-E777", proposal.Key);
        var approved = Triager.Decide(TestLake.At(lake), proposal.Id, DecisionAction.Approve, "maintainer", null);

        var config = new SentinelConfig();
        config.Libraries["alpha"] = new LibraryConfig { Repo = "example/alpha", AutoIssues = true };
        var plan = IssuePlanner.Plan([approved], config, IssueLedger.Load(TestLake.At(lake)), null, DateTimeOffset.UtcNow);
        var action = Assert.Single(plan);
        Assert.Equal(IssueStep.Create, action.Action);
        Assert.Equal("alpha:problem:ALPHA-E777", action.Key);
        Assert.Contains("trace hashes (variants) | 00000000000000e0, 00000000000000e1, 00000000000000e2", action.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_issue_filed_under_a_per_trace_hash_key_is_this_problems_issue()
    {
        var lake = await LakeAsync();
        await Triager.RunAsync(TestLake.At(lake), "alpha", null, CancellationToken.None);
        var proposal = new ProposalStore(TestLake.At(lake)).Load().Single(p => p.Signal.Code == "ALPHA-E777");
        var approved = Triager.Decide(TestLake.At(lake), proposal.Id, DecisionAction.Approve, "maintainer", null);
        var ledger = IssueLedger.Load(TestLake.At(lake));
        var now = DateTimeOffset.UtcNow;
        ledger.Put(new LedgerEntry("example/alpha", "alpha:problem:ALPHA-E777:00000000000000e1", LedgerStatus.Filed, 12, "https://github.com/example/alpha/issues/12",
            IssueState.Open, "2.2.0", approved.Signal.Events, now, now, null));
        var config = new SentinelConfig();
        config.Libraries["alpha"] = new LibraryConfig { Repo = "example/alpha", AutoIssues = true };

        var action = Assert.Single(IssuePlanner.Plan([approved], config, ledger, null, now));

        Assert.NotEqual(IssueStep.Create, action.Action);
        Assert.Equal(12, action.Number);
    }

    [Fact]
    public async Task An_uncoded_problem_is_named_by_a_source_enough_runs_report_never_by_one_upload()
    {
        var lake = _dir.Sub("lake-uncoded");
        var input = _dir.Sub("in-uncoded");
        var error = new SyntheticEvent("ERROR", null, "00000000000000f1");
        for (var i = 0; i < 5; i++)
        {
            SyntheticBundle.Write(input, "alpha", "1.0.0", i, [error], source: "alpha.core.solve");
        }

        // One forged upload: the same trace hash under a source of its own choosing, sorting first.
        SyntheticBundle.Write(input, "alpha", "1.0.0", 5, [error], source: "alpha.aaa_mgarcia_lab");
        // A trace hash only two runs report: its source is not published.
        for (var i = 6; i < 8; i++)
        {
            SyntheticBundle.Write(input, "alpha", "1.0.0", i, [new SyntheticEvent("ERROR", null, "00000000000000f2")], source: "alpha.io.read");
        }

        Assert.Empty((await SentinelRunner.IngestAsync(lake, input)).Quarantined);
        Aggregator.Run(new AggregateOptions(TestLake.At(lake), new SentinelConfig(), Full: true)); // privacy.min_runs_public: 5
        var problems = Summaries.Load(TestLake.At(lake)).Problems;

        var backed = Assert.Single(problems, p => p.TraceHash == "00000000000000f1");
        Assert.Equal(("RuntimeError@alpha.core.solve", "alpha.core.solve", 6L), (backed.ProblemKey, backed.Source, backed.RunsAffected));
        var thin = Assert.Single(problems, p => p.TraceHash == "00000000000000f2");
        Assert.Equal(("trace:00000000000000f2", null), (thin.ProblemKey, thin.Source));
        Assert.DoesNotContain("mgarcia", File.ReadAllText(Path.Combine(lake, "summary", "problems.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Uncoded_problems_are_named_by_exception_type_and_function()
    {
        Assert.Equal("RuntimeError in alpha.core.work", ProblemSubject.Of(null, "RuntimeError", "alpha.core.work", "00000000000000aa"));
        Assert.Equal("RuntimeError in alpha.io.read", ProblemSubject.Of(null, "RuntimeError", "alpha.io.read", "00000000000000ab"));
        Assert.Equal("ALPHA-E777", ProblemSubject.Of("ALPHA-E777", "RuntimeError", "alpha.core.work", "00000000000000aa"));
        Assert.Equal("trace 00000000000000aa", ProblemSubject.Of(null, null, null, "00000000000000aa"));
    }
}
