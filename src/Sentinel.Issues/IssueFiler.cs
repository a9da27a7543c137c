using System.Text.Json;
using System.Text.RegularExpressions;
using Octokit;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Triage;

namespace Sentinel.Issues;

/// <summary>
/// <c>sentinel issues</c>: plans (<see cref="IssuePlanner"/>), then, under the lake lock, carries each
/// action out against GitHub. Before every create an intent is saved to the ledger and the marker is
/// searched; after a timeout or a 5xx the marker is searched again, so a create whose answer was lost
/// is adopted, never repeated. A failed action is reported and the batch goes on.
/// </summary>
public static partial class IssueFiler
{
    /// <summary>The plan only: no network, no ledger change (<c>--dry-run</c>).</summary>
    public static IReadOnlyList<IssueAction> DryRun(Lake lake, SentinelConfig config, string? library) =>
        IssuePlanner.Plan(new ProposalStore(lake).Load(), config, IssueLedger.Load(lake), library, lake.Clock.GetUtcNow());

    public static async Task<IssuesResult> RunAsync(Lake lake, SentinelConfig config, string? library, GitHubCredentials credentials, CancellationToken ct)
    {
        var time = lake.Clock;
        using var lakeLock = lake.Lock();
        var proposals = new ProposalStore(lake).Load();
        var ledger = IssueLedger.Load(lake);
        var plan = IssuePlanner.Plan(proposals, config, ledger, library, time.GetUtcNow());
        var gateway = new GitHubGateway(config.Github, credentials, time);
        var run = new Run(config, ledger, gateway, time);
        var outcomes = new List<IssueOutcome>();
        foreach (var action in plan)
        {
            ct.ThrowIfCancellationRequested();
            IssueOutcome outcome;
            // A skip of an issue already filed is re-checked against GitHub: it may have been closed since.
            if (action.Repo is null || (action.Action == IssueStep.Skip && action.Number is null))
            {
                outcome = Outcome(action, IssueStep.Skip, IssueOutcomeStatus.Skipped, action.Number, null, action.Reason);
            }
            else
            {
                try
                {
                    outcome = await run.ExecuteAsync(action, ct);
                }
                catch (Exception e) when (e is GitHubWriteException or GitHubTimeoutException)
                {
                    outcome = Outcome(action, action.Action, IssueOutcomeStatus.Failed, action.Number, null, e.Message);
                }
            }

            outcomes.Add(outcome);
        }

        return new IssuesResult(plan.Count, outcomes.Count(o => o.Status == IssueOutcomeStatus.Done), outcomes.Count(o => o.Status == IssueOutcomeStatus.Skipped),
            outcomes.Count(o => o.Status == IssueOutcomeStatus.Failed), run.Budget.Writes, Math.Round(gateway.Waited.TotalSeconds, 1), outcomes);
    }

    private static IssueOutcome Outcome(IssueAction a, IssueStep action, IssueOutcomeStatus status, int? number, string? url, string message) =>
        new(a.Library, a.Repo, action, a.Key, a.ProposalId, status, number, url, message);

    private sealed class Run(SentinelConfig config, IssueLedger ledger, GitHubGateway github, TimeProvider time)
    {
        private DateTimeOffset? _lastWrite;

        public IssueBudget Budget { get; } = new(config, ledger, time.GetUtcNow());

        public async Task<IssueOutcome> ExecuteAsync(IssueAction a, CancellationToken ct)
        {
            var repo = a.Repo!;
            var (owner, name) = Split(repo);
            var p = a.Proposal;
            var entry = ledger.Find(repo, a.Key, IssueBody.LegacyKeys(p));
            Issue? issue;
            if (entry is { Status: LedgerStatus.Filed, Number: { } known })
            {
                issue = await github.GetAsync(owner, name, known, ct);
            }
            else
            {
                // The ledger may have been lost, or a create's answer never came: the marker decides.
                issue = (await github.FindByMarkerAsync(owner, name, a.Key, ct)).FirstOrDefault();
                // An issue filed when problems were keyed by code + trace hash is this problem's too (a few searches at most).
                foreach (var legacy in IssueBody.LegacyKeys(p).Take(3))
                {
                    issue ??= (await github.FindByMarkerAsync(owner, name, legacy, ct)).FirstOrDefault();
                }

                if (issue is null)
                {
                    return await CreateAsync(a, owner, name, ct);
                }

                entry = Adopt(repo, a.Key, issue, entry);
            }

            var state = issue.State.Value == ItemState.Closed ? IssueState.Closed : IssueState.Open;
            if (entry.State != state)
            {
                entry = entry with { State = state };
                ledger.Put(entry);
            }

            var (action, reason) = IssuePlanner.Decide(state, entry.ReportedVersion, entry.ReportedEvents, entry.LastWriteAt, p, config.Github, time.GetUtcNow());
            if (action == IssueStep.Skip)
            {
                return Outcome(a, IssueStep.Skip, IssueOutcomeStatus.Skipped, issue.Number, issue.HtmlUrl, $"#{issue.Number}: {reason}");
            }

            if (Budget.Refusal(repo, action) is { } refused)
            {
                return Outcome(a, action, IssueOutcomeStatus.Skipped, issue.Number, issue.HtmlUrl, refused);
            }

            Budget.Spend(repo, action);
            var regression = action == IssueStep.Reopen;
            await WriteAsync(repo, a.Key, IssueStep.Comment, () => github.CommentAsync(owner, name, issue.Number, IssueBody.Comment(p, a.Key, regression, entry.ReportedVersion), ct), ct);
            if (regression)
            {
                await WriteAsync(repo, a.Key, IssueStep.Reopen, () => github.ReopenAsync(owner, name, issue.Number, ct), ct);
            }

            ledger.Put(entry with
            {
                State = IssueState.Open, ReportedVersion = p.Signal.LastVersion, ReportedEvents = p.Signal.Events, LastWriteAt = time.GetUtcNow(),
            });
            return Outcome(a, action, IssueOutcomeStatus.Done, issue.Number, issue.HtmlUrl, $"#{issue.Number}: {reason}");
        }

        private async Task<IssueOutcome> CreateAsync(IssueAction a, string owner, string name, CancellationToken ct)
        {
            var repo = a.Repo!;
            if (Budget.Refusal(repo, IssueStep.Create) is { } refused)
            {
                return Outcome(a, IssueStep.Create, IssueOutcomeStatus.Skipped, null, null, refused);
            }

            Budget.Spend(repo, IssueStep.Create);
            var p = a.Proposal;
            var labels = config.Libraries.TryGetValue(p.Library, out var lib) ? lib.Labels : [];
            // Intent before the write: a crash or a lost answer leaves this, and the next attempt searches first.
            ledger.Put(new LedgerEntry(repo, a.Key, LedgerStatus.Intent, null, null, null, null, -1, time.GetUtcNow(), null, null));
            Issue created;
            try
            {
                created = await WriteAsync(repo, a.Key, IssueStep.Create, () => github.CreateAsync(owner, name, a.Title, a.Body, labels, ct), ct);
            }
            catch (Exception e) when (e is GitHubTimeoutException || e is GitHubWriteException { InnerException: ApiException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } })
            {
                // The answer was lost or GitHub failed mid-way: it may have created the issue anyway.
                var found = await Reconcile(owner, name, a.Key, ct);
                if (found is null)
                {
                    return Outcome(a, IssueStep.Create, IssueOutcomeStatus.Failed, null, null,
                        $"{e.Message}; no issue with the marker was found, so none was created (the next run searches again before creating)");
                }

                Adopt(repo, a.Key, found, null, p);
                ledger.Record(new LedgerWrite(repo, a.Key, IssueStep.Create, time.GetUtcNow(), true));
                return Outcome(a, IssueStep.Create, IssueOutcomeStatus.Done, found.Number, found.HtmlUrl, $"#{found.Number}: created ({e.Message}; confirmed by the marker search)");
            }

            ledger.Put(new LedgerEntry(repo, a.Key, LedgerStatus.Filed, created.Number, created.HtmlUrl, IssueState.Open, p.Signal.LastVersion, p.Signal.Events,
                null, time.GetUtcNow(), time.GetUtcNow()));
            return Outcome(a, IssueStep.Create, IssueOutcomeStatus.Done, created.Number, created.HtmlUrl, $"#{created.Number}: created");
        }

        private async Task<Issue?> Reconcile(string owner, string name, string key, CancellationToken ct)
        {
            try
            {
                return (await github.FindByMarkerAsync(owner, name, key, ct)).FirstOrDefault();
            }
            catch (Exception e) when (e is GitHubWriteException or GitHubTimeoutException)
            {
                return null;
            }
        }

        /// <summary>Records an issue found by its marker (the ledger had lost it, or a create's answer was lost).</summary>
        private LedgerEntry Adopt(string repo, string key, Issue issue, LedgerEntry? old, Proposal? justCreated = null)
        {
            var entry = new LedgerEntry(repo, key, LedgerStatus.Filed, issue.Number, issue.HtmlUrl,
                issue.State.Value == ItemState.Closed ? IssueState.Closed : IssueState.Open,
                justCreated?.Signal.LastVersion ?? ReportedVersionIn(issue.Body),
                justCreated?.Signal.Events ?? ReportedEventsIn(issue.Body),
                old?.IntentAt, issue.CreatedAt, justCreated is null ? issue.UpdatedAt ?? issue.CreatedAt : time.GetUtcNow());
            ledger.Put(entry);
            return entry;
        }

        private async Task<T> WriteAsync<T>(string repo, string key, IssueStep action, Func<Task<T>> write, CancellationToken ct)
        {
            var spacing = TimeSpan.FromSeconds(config.Github.MinSecondsBetweenWrites);
            if (_lastWrite is { } last && time.GetUtcNow() - last < spacing)
            {
                await github.PaceAsync(spacing - (time.GetUtcNow() - last), ct);
            }

            try
            {
                var result = await write();
                ledger.Record(new LedgerWrite(repo, key, action, time.GetUtcNow(), true));
                return result;
            }
            catch (Exception e) when (e is GitHubWriteException or GitHubTimeoutException)
            {
                ledger.Record(new LedgerWrite(repo, key, action, time.GetUtcNow(), false));
                throw;
            }
            finally
            {
                _lastWrite = time.GetUtcNow();
            }
        }

        private Task WriteAsync(string repo, string key, IssueStep action, Func<Task> write, CancellationToken ct) =>
            WriteAsync(repo, key, action, async () =>
            {
                await write();
                return true;
            }, ct);
    }

    private static (string Owner, string Name) Split(string repo)
    {
        var slash = repo.IndexOf('/', StringComparison.Ordinal);
        return (repo[..slash], repo[(slash + 1)..]);
    }

    /// <summary>The last_version of the body's JSON payload: what the issue reported when the ledger is lost.</summary>
    private static string? ReportedVersionIn(string? body)
    {
        if (body is null || LastVersion().Match(body) is not { Success: true } m)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<string>(m.Groups[1].Value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The events count of the body's JSON payload (-1 when unknown).</summary>
    private static long ReportedEventsIn(string? body) =>
        body is not null && EventsCount().Match(body) is { Success: true } m && long.TryParse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;

    [GeneratedRegex("\"events\":\\s*(\\d+)")]
    private static partial Regex EventsCount();

    [GeneratedRegex("\"last_version\":\\s*(\"(?:[^\"\\\\]|\\\\.)*\")")]
    private static partial Regex LastVersion();
}
