using System.Text.Json.Serialization;
using Sentinel.Triage;

namespace Sentinel.Issues;

/// <summary>
/// One planned <see cref="IssueStep"/> of <c>sentinel issues</c>, with the reason.
/// <see cref="Number"/> is the issue already known from the ledger, if any.
/// </summary>
public sealed record IssueAction(
    string Library, string? Repo, IssueStep Action, string Key, string ProposalId, string Title, string Body, string Reason,
    int? Number, Proposal Proposal);

/// <summary>What happened to one action (<see cref="IssueOutcomeStatus"/>).</summary>
public sealed record IssueOutcome(
    string Library, string? Repo, IssueStep Action, string Key, string ProposalId, IssueOutcomeStatus Status, int? Number, string? Url, string Message);

/// <summary>A step of <c>sentinel issues</c> (its JSON name in the plan, the outcomes and the ledger's writes).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IssueStep>))]
public enum IssueStep
{
    /// <summary>Open a new issue (after searching its marker).</summary>
    [JsonStringEnumMemberName("create")]
    Create,

    /// <summary>Comment fresh numbers on the open issue.</summary>
    [JsonStringEnumMemberName("comment")]
    Comment,

    /// <summary>A regression comment on a closed issue, then reopen it (two writes).</summary>
    [JsonStringEnumMemberName("reopen")]
    Reopen,

    /// <summary>Nothing to write (the reason says why).</summary>
    [JsonStringEnumMemberName("skip")]
    Skip,
}

/// <summary>How one step ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IssueOutcomeStatus>))]
public enum IssueOutcomeStatus
{
    [JsonStringEnumMemberName("done")]
    Done,

    [JsonStringEnumMemberName("skipped")]
    Skipped,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>
/// A ledger entry's state: <c>intent</c> (a create was about to be sent; its outcome is unknown until reconciled by
/// searching the marker) or <c>filed</c>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<LedgerStatus>))]
public enum LedgerStatus
{
    [JsonStringEnumMemberName("intent")]
    Intent,

    [JsonStringEnumMemberName("filed")]
    Filed,
}

/// <summary>A GitHub issue's state as last seen.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IssueState>))]
public enum IssueState
{
    [JsonStringEnumMemberName("open")]
    Open,

    [JsonStringEnumMemberName("closed")]
    Closed,
}

/// <summary>The run's outcome for <c>sentinel issues</c>.</summary>
public sealed record IssuesResult(int Approved, int Done, int Skipped, int Failed, int Writes, double RateLimitWaitSeconds, IReadOnlyList<IssueOutcome> Outcomes);

/// <summary>A GitHub write that could not be done; the batch goes on, the exit code reports it.</summary>
public sealed class GitHubWriteException : Exception
{
    public GitHubWriteException(string message) : base(message) { }
    public GitHubWriteException() { }
    public GitHubWriteException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Missing or unusable GitHub credentials: a configuration error (exit 1), nothing was written.</summary>
public sealed class GitHubAuthException : Exception
{
    public GitHubAuthException(string message) : base(message) { }
    public GitHubAuthException() { }
    public GitHubAuthException(string message, Exception inner) : base(message, inner) { }
}
