using Sentinel.Triage;

namespace Sentinel.Issues;

/// <summary>
/// One planned step of <c>sentinel issues</c>: <c>create</c>, <c>comment</c> (an update with fresh
/// numbers), <c>reopen</c> (a regression comment, then reopen) or <c>skip</c>, with the reason.
/// <see cref="Number"/> is the issue already known from the ledger, if any.
/// </summary>
public sealed record IssueAction(
    string Library, string? Repo, string Action, string Key, string ProposalId, string Title, string Body, string Reason,
    int? Number, Proposal Proposal);

/// <summary>What happened to one action: <c>done</c>, <c>skipped</c> or <c>failed</c>.</summary>
public sealed record IssueOutcome(
    string Library, string? Repo, string Action, string Key, string ProposalId, string Status, int? Number, string? Url, string Message);

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
