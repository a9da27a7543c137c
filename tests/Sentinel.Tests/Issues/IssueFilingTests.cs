using System.Text.Json;
using Sentinel.Issues;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Issues;

/// <summary>`sentinel issues` with the real Octokit client over HTTP against the fake GitHub.</summary>
public sealed class IssueFilingTests : IDisposable
{
    private const string Repo = "acme/alpha";
    private readonly FakeGitHub _github = new();
    private readonly IssuesLake _lake = new();
    private readonly InstantTime _time = new();

    private static readonly string[] Codes = ["ALPHA-E001", "ALPHA-E002", "ALPHA-E003", "ALPHA-E004"];

    private Task<IssuesResult> Run(Sentinel.Config.SentinelConfig config, GitHubCredentials? credentials = null) =>
        IssueFiler.RunAsync(TestLake.At(_lake.Lake, _time), config, null, credentials ?? IssuesLake.Token, CancellationToken.None);

    private void AssertNoDuplicates()
    {
        var markers = _github.Issues(Repo).Select(i => i.Body.Split('\n')[0]).ToList();
        Assert.Equal(markers.Count, markers.Distinct().Count());
    }

    [Fact]
    public async Task Creates_then_finds_its_marker_and_never_duplicates_even_with_the_ledger_lost()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..2]);
        var approved = await _lake.TriageAndApproveAsync();
        Assert.Equal(2, approved.Count);
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));

        var first = await Run(config);
        Assert.Equal((2, 0), (first.Done, first.Failed));
        Assert.All(first.Outcomes, o => Assert.Equal(IssueStep.Create, o.Action));
        Assert.Equal(2, _github.Issues(Repo).Count);
        Assert.All(_github.Issues(Repo), i => Assert.Equal(["sentinel"], i.Labels));
        Assert.All(_github.Issues(Repo), i => Assert.StartsWith("<!-- sentinel:key=alpha:problem:ALPHA-E00", i.Body, StringComparison.Ordinal));
        // Octokit hit the root paths of the base URL (no /api/v3/ appended) with the token.
        Assert.Contains(_github.Requests, r => r.Method == "POST" && r.Path == "/repos/acme/alpha/issues" && r.Authorization!.Contains("ghp_testtoken", StringComparison.Ordinal));
        // Pacing: one second between the two creates, on the run's clock.
        Assert.True(_time.Slept >= TimeSpan.FromSeconds(0.5));

        var second = await Run(config);
        Assert.Equal(0, second.Failed);
        Assert.All(second.Outcomes, o => Assert.Equal(IssueStep.Skip, o.Action));
        Assert.Equal(2, _github.Issues(Repo).Count);

        File.Delete(IssueLedger.PathOf(TestLake.At(_lake.Lake)));
        var requestsBefore = _github.Requests.Count;
        var third = await Run(config);
        Assert.Equal(0, third.Failed);
        Assert.Equal(2, _github.Issues(Repo).Count);
        Assert.Contains(_github.Requests.Skip(requestsBefore), r => r.Path == "/search/issues" && r.Query!.Contains("sentinel:key=alpha:problem:ALPHA-E001", StringComparison.Ordinal)
            && r.Query.Contains("repo:acme/alpha", StringComparison.Ordinal));
        Assert.DoesNotContain(_github.Requests.Skip(requestsBefore), r => r.Method == "POST");
        var ledger = IssueLedger.Load(TestLake.At(_lake.Lake));
        Assert.Equal(2, ledger.Entries.Count(e => e.Status == LedgerStatus.Filed && e.Number is not null));
        AssertNoDuplicates();
    }

    [Fact]
    public async Task A_closed_issue_recurring_in_a_newer_version_gets_a_regression_comment_and_is_reopened()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..1]);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));
        Assert.Equal(1, (await Run(config)).Done);
        _github.Close(Repo, 1);

        // Still closed, nothing newer: left alone.
        var quiet = await Run(config);
        Assert.Equal(IssueStep.Skip, quiet.Outcomes.Single().Action);
        Assert.Contains("closed", quiet.Outcomes.Single().Message, StringComparison.Ordinal);

        await _lake.ReleaseAsync("alpha", "1.1.0", Codes[..1]);
        var approved = await _lake.TriageAndApproveAsync(); // the signal changed (last version): re-approved
        Assert.Equal("1.1.0", approved.Single().Signal.LastVersion);
        var result = await Run(config);
        Assert.Equal((IssueStep.Reopen, IssueOutcomeStatus.Done), (result.Outcomes.Single().Action, result.Outcomes.Single().Status));
        var issue = _github.Issues(Repo).Single();
        Assert.Equal("open", issue.State);
        Assert.Contains("**Regression:**", issue.Comments.Single(), StringComparison.Ordinal);
        Assert.Contains("1.1.0", issue.Comments.Single(), StringComparison.Ordinal);
        Assert.Single(_github.Issues(Repo));
    }

    [Fact]
    public async Task Faults_500_timeout_after_create_secondary_limit_and_401_never_duplicate_and_the_batch_goes_on()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));
        config.Github.RequestTimeoutSeconds = 1;
        _github.Script("POST", "/issues", 500);
        _github.Script("POST", "/issues", 200, delay: TimeSpan.FromSeconds(4), applyFirst: true); // created, but the answer comes too late
        _github.Script("POST", "/issues", 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            new Dictionary<string, string> { ["Retry-After"] = "30" });
        _github.Script("POST", "/issues", 401, "Bad credentials");

        var result = await Run(config);
        Assert.Equal(4, result.Outcomes.Count);
        Assert.Equal((2, 2), (result.Done, result.Failed));
        Assert.Contains(result.Outcomes, o => o.Status == IssueOutcomeStatus.Failed && o.Message.Contains("500", StringComparison.Ordinal));
        Assert.Contains(result.Outcomes, o => o.Status == IssueOutcomeStatus.Failed && o.Message.Contains("401", StringComparison.Ordinal));
        Assert.Contains(result.Outcomes, o => o.Status == IssueOutcomeStatus.Done && o.Message.Contains("confirmed by the marker search", StringComparison.Ordinal));
        Assert.Equal(30, result.RateLimitWaitSeconds);
        Assert.True(_time.Slept >= TimeSpan.FromSeconds(30));
        Assert.Equal(2, _github.Issues(Repo).Count);
        AssertNoDuplicates();

        // The next run files the two that failed, and only those.
        var again = await Run(config);
        Assert.Equal((2, 0), (again.Outcomes.Count(o => o.Action == IssueStep.Create && o.Status == IssueOutcomeStatus.Done), again.Failed));
        Assert.Equal(4, _github.Issues(Repo).Count);
        AssertNoDuplicates();
    }

    [Fact]
    public async Task A_rate_limit_wait_beyond_the_cap_fails_that_write_only()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..2]);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));
        config.Github.MaxRateLimitWaitSeconds = 60;
        _github.Script("POST", "/issues", 403, "API rate limit exceeded for installation.",
            new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = _time.GetUtcNow().AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var result = await Run(config);
        Assert.Equal((1, 1), (result.Done, result.Failed));
        Assert.Contains("max_rate_limit_wait_seconds", result.Outcomes.Single(o => o.Status == IssueOutcomeStatus.Failed).Message, StringComparison.Ordinal);
        Assert.Single(_github.Issues(Repo));
    }

    [Fact]
    public async Task Budgets_hold_per_repo_per_day_and_per_run()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));
        config.Libraries["alpha"].MaxNewIssuesPerDay = 2;

        var first = await Run(config);
        Assert.Equal(2, first.Done);
        Assert.Equal(2, first.Outcomes.Count(o => o.Status == IssueOutcomeStatus.Skipped && o.Message.Contains("max_new_issues_per_day", StringComparison.Ordinal)));
        var sameDay = await Run(config);
        Assert.Equal(0, sameDay.Outcomes.Count(o => o.Action == IssueStep.Create && o.Status == IssueOutcomeStatus.Done));
        Assert.Equal(2, _github.Issues(Repo).Count);

        // Next day: the day's budget is back, but the run's write budget (1) holds.
        _time.Advance(TimeSpan.FromDays(1));
        config.Github.MaxWritesPerRun = 1;
        var nextDay = await Run(config);
        Assert.Equal(1, nextDay.Outcomes.Count(o => o.Action == IssueStep.Create && o.Status == IssueOutcomeStatus.Done));
        Assert.Contains(nextDay.Outcomes, o => o.Message.Contains("max_writes_per_run", StringComparison.Ordinal));
        Assert.Equal(3, _github.Issues(Repo).Count);
    }

    [Fact]
    public async Task A_library_not_opted_in_is_never_filed_and_says_so()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..1]);
        await _lake.ReleaseAsync("beta", "2.0.0", ["BETA-E001"]);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true), ("beta", "acme/beta", false));
        var result = await Run(config);
        var beta = result.Outcomes.Where(o => o.Library == "beta").ToList();
        Assert.NotEmpty(beta);
        Assert.All(beta, o => Assert.Equal((IssueStep.Skip, IssueOutcomeStatus.Skipped), (o.Action, o.Status)));
        Assert.All(beta, o => Assert.Contains("not opted in", o.Message, StringComparison.Ordinal));
        Assert.Empty(_github.Issues("acme/beta"));
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("beta", StringComparison.Ordinal) || (r.Query ?? "").Contains("beta", StringComparison.Ordinal));
        Assert.Single(_github.Issues(Repo));
    }

    [Fact]
    public async Task An_open_issue_gets_one_update_comment_per_period_with_fresh_numbers()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..1]);
        await _lake.TriageAndApproveAsync();
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", Repo, true));
        await Run(config);
        // More runs of the same version: counts grow (not material, the approval stands).
        var bundles = Path.Combine(_lake.Dir, "more");
        for (var run = 10; run < 13; run++)
        {
            SyntheticBundle.Write(bundles, "alpha", "1.0.0", run, [new SyntheticEvent("ERROR", "ALPHA-E001", "00000000000000e0")], day: 6);
        }

        await SentinelRunner.IngestAsync(_lake.Lake, bundles);
        Sentinel.Aggregate.Aggregator.Run(new Sentinel.Aggregate.AggregateOptions(TestLake.At(_lake.Lake), new Sentinel.Config.SentinelConfig(), Full: false));
        await _lake.TriageAndApproveAsync();
        var soon = await Run(config);
        Assert.Contains("less than 7 day", soon.Outcomes.Single().Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromDays(8));
        var later = await Run(config);
        Assert.Equal((IssueStep.Comment, IssueOutcomeStatus.Done), (later.Outcomes.Single().Action, later.Outcomes.Single().Status));
        Assert.Contains("**Update**", _github.Issues(Repo).Single().Comments.Single(), StringComparison.Ordinal);
        var quiet = await Run(config);
        Assert.Equal(IssueStep.Skip, quiet.Outcomes.Single().Action);
    }

    [Fact]
    public async Task Dry_run_prints_each_action_with_no_network_and_no_ledger_change_and_no_token_is_a_usage_error()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", Codes[..2]);
        await _lake.TriageAndApproveAsync();
        File.WriteAllText(Path.Combine(_lake.Dir, "sentinel.yml"), $"""
            github:
              api_url: {_github.BaseUrl}
              token_env: SENTINEL_TEST_NO_SUCH_TOKEN
            libraries:
              alpha:
                repo: {Repo}
                auto_issues: true
            """);
        var dry = SentinelRunner.Cli(_lake.Dir, "issues", "--dry-run", "--format", "json", "--lake", _lake.Lake);
        Assert.Equal(0, dry.ExitCode);
        using (var doc = JsonDocument.Parse(dry.Stdout))
        {
            var actions = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, actions.Count);
            Assert.All(actions, a =>
            {
                Assert.Equal((Repo, "create"), (a.GetProperty("repo").GetString(), a.GetProperty("action").GetString()));
                Assert.StartsWith("<!-- sentinel:key=", a.GetProperty("body").GetString(), StringComparison.Ordinal);
                Assert.StartsWith("[sentinel] alpha: ALPHA-E00", a.GetProperty("title").GetString(), StringComparison.Ordinal);
                Assert.Contains("alpha:problem:ALPHA-E00", a.GetProperty("key").GetString(), StringComparison.Ordinal);
            });
        }

        Assert.Empty(_github.Requests);
        Assert.False(File.Exists(IssueLedger.PathOf(TestLake.At(_lake.Lake))));

        var noToken = SentinelRunner.Cli(_lake.Dir, "issues", "--lake", _lake.Lake);
        Assert.Equal(1, noToken.ExitCode);
        Assert.Contains("SENTINEL_TEST_NO_SUCH_TOKEN", noToken.Stderr, StringComparison.Ordinal);
        Assert.Empty(_github.Requests);
    }

    public void Dispose()
    {
        _github.Dispose();
        _lake.Dispose();
    }
}
