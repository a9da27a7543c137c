using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Triage;

namespace Sentinel.Issues;

/// <summary>
/// Approved proposals × opted-in libraries → one action each (docs/issues.md). Reads the ledger only,
/// never the network: this is exactly what <c>--dry-run</c> prints. A real run re-checks each action
/// against GitHub (the marker search, the issue's state) before writing.
/// </summary>
public static class IssuePlanner
{
    public static IReadOnlyList<IssueAction> Plan(IReadOnlyList<Proposal> proposals, SentinelConfig config, IssueLedger ledger, string? library, DateTimeOffset now)
    {
        var actions = new List<IssueAction>();
        var budget = new IssueBudget(config, ledger, now);
        foreach (var p in proposals.Where(p => p.Status == ProposalStatus.Approved && (library is null || p.Library == library)).OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var key = IssueBody.Key(p);
            var title = IssueBody.Title(p);
            config.Libraries.TryGetValue(p.Library, out var lib);
            if (lib is not { AutoIssues: true, Repo: { } repo })
            {
                actions.Add(new IssueAction(p.Library, lib?.Repo, IssueStep.Skip, key, p.Id, title, "",
                    $"library '{p.Library}' is not opted in (sentinel.yml: libraries.{p.Library}.repo and auto_issues: true)", null, p));
                continue;
            }

            var entry = ledger.Find(repo, key, IssueBody.LegacyKeys(p));
            var (action, reason) = entry is { Status: LedgerStatus.Filed }
                ? Decide(entry.State, entry.ReportedVersion, entry.ReportedEvents, entry.LastWriteAt, p, config.Github, now)
                : (IssueStep.Create, entry is null ? "new approved proposal (the marker is searched first)" : "an earlier create did not finish: the marker is searched first");
            if (action != IssueStep.Skip && budget.Refusal(repo, action) is { } refused)
            {
                (action, reason) = (IssueStep.Skip, refused);
            }
            else if (action != IssueStep.Skip)
            {
                budget.Spend(repo, action);
            }

            var body = action switch
            {
                IssueStep.Create => IssueBody.Render(p, key),
                IssueStep.Comment => IssueBody.Comment(p, key, regression: false, entry?.ReportedVersion),
                IssueStep.Reopen => IssueBody.Comment(p, key, regression: true, entry?.ReportedVersion),
                _ => "",
            };
            actions.Add(new IssueAction(p.Library, repo, action, key, p.Id, title, body, reason, entry?.Number, p));
        }

        return actions;
    }

    /// <summary>
    /// What an issue Sentinel already filed needs: a closed one whose problem recurs in a newer version
    /// than it reported is reopened with a regression comment (github.reopen_on_regression); an open one
    /// gets one update comment per github.update_period_days, only when the numbers moved.
    /// </summary>
    public static (IssueStep Action, string Reason) Decide(IssueState? state, string? reportedVersion, long reportedEvents, DateTimeOffset? lastWrite,
        Proposal p, GitHubConfig config, DateTimeOffset now)
    {
        if (state == IssueState.Closed)
        {
            var newer = Pep440Version.TryParse(p.Signal.LastVersion, out var last) && Pep440Version.TryParse(reportedVersion, out var reported) && last > reported;
            return !newer ? (IssueStep.Skip, $"closed; no recurrence in a version newer than {reportedVersion ?? "the one reported"}")
                : config.ReopenOnRegression ? (IssueStep.Reopen, $"closed, but recurs in {p.Signal.LastVersion} (reported: {reportedVersion}): regression comment and reopen")
                : (IssueStep.Skip, $"closed, recurs in {p.Signal.LastVersion}, but github.reopen_on_regression is false");
        }

        if (lastWrite is { } at && now - at < TimeSpan.FromDays(config.UpdatePeriodDays))
        {
            return (IssueStep.Skip, $"open; updated less than {config.UpdatePeriodDays} day(s) ago");
        }

        return p.Signal.Events == reportedEvents
            ? (IssueStep.Skip, "open; no new numbers since the last report")
            : (IssueStep.Comment, "open; update comment with fresh numbers");
    }
}

/// <summary>
/// The write budgets: github.max_writes_per_run over all repositories, and per repository per UTC day
/// libraries.X.max_new_issues_per_day new issues (counted from the ledger, so it holds across runs).
/// </summary>
public sealed class IssueBudget(SentinelConfig config, IssueLedger ledger, DateTimeOffset now)
{
    private readonly Dictionary<string, int> _createdThisRun = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _createdBefore = new(StringComparer.OrdinalIgnoreCase); // the ledger's count at the run's start
    private int _writes;

    public int Writes => _writes;

    public string? Refusal(string repo, IssueStep action)
    {
        var needed = action == IssueStep.Reopen ? 2 : 1;
        if (_writes + needed > config.Github.MaxWritesPerRun)
        {
            return $"budget: github.max_writes_per_run ({config.Github.MaxWritesPerRun}) reached in this run";
        }

        if (action == IssueStep.Create)
        {
            var perDay = config.Libraries.Values.Where(l => string.Equals(l.Repo, repo, StringComparison.OrdinalIgnoreCase)).Select(l => l.MaxNewIssuesPerDay).DefaultIfEmpty(0).Min();
            var today = Before(repo) + _createdThisRun.GetValueOrDefault(repo);
            if (today >= perDay)
            {
                return $"budget: {repo} already got {today} new issue(s) today (max_new_issues_per_day: {perDay})";
            }
        }

        return null;
    }

    private int Before(string repo)
    {
        if (!_createdBefore.TryGetValue(repo, out var n))
        {
            _createdBefore[repo] = n = ledger.CreatedOn(repo, now);
        }

        return n;
    }

    public void Spend(string repo, IssueStep action)
    {
        _writes += action == IssueStep.Reopen ? 2 : 1;
        if (action == IssueStep.Create)
        {
            _createdThisRun[repo] = _createdThisRun.GetValueOrDefault(repo) + 1;
        }
    }
}
