using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Issues;
using Sentinel.Text;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class IssuesCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print each issue it would file or update; no network, no ledger change." };
        var library = new Option<string?>("--library") { Description = "Only this library.", HelpName = "NAME" };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("issues",
            "File GitHub issues for approved triage proposals of opted-in libraries (sentinel.yml: libraries.X.repo, auto_issues: true), " +
            "deduplicated by a hidden marker, a ledger in <lake>/state/issues/ and a search before creating; rate-limited and budgeted. " +
            "Auth: a GitHub App or a token ($SENTINEL_GITHUB_TOKEN / $GITHUB_TOKEN). Exit 2 when some writes failed.")
        {
            dryRun, library, format,
        };
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var lake = GlobalOptions.OpenLake(parse);
            var config = GlobalOptions.LoadConfig(parse);
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(dryRun))
            {
                var plan = IssueFiler.DryRun(lake, config, parse.GetValue(library));
                if (json)
                {
                    JsonOutput.Write(plan.Select(a => new { repo = a.Repo, action = a.Action, key = a.Key, title = a.Title, body = a.Body, reason = a.Reason, proposal_id = a.ProposalId, library = a.Library }));
                }
                else
                {
                    Render(plan.Select(a => (a.ProposalId, a.Repo, a.Action.Name(), "planned", a.Title, a.Reason)).ToList());
                }

                return ExitCode.Success;
            }

            GitHubCredentials credentials;
            try
            {
                credentials = GitHubCredentials.FromEnvironment(config.Github, Environment.GetEnvironmentVariable);
            }
            catch (GitHubAuthException e)
            {
                await Console.Error.WriteLineAsync($"sentinel: {e.Message}");
                return ExitCode.InvalidUsage;
            }

            var result = await IssueFiler.RunAsync(lake, config, parse.GetValue(library), credentials, ct);
            foreach (var failed in result.Outcomes.Where(o => o.Status == IssueOutcomeStatus.Failed))
            {
                await Console.Error.WriteLineAsync($"issues: {failed.Action.Name()} {failed.Key} in {failed.Repo} failed: {failed.Message}");
            }

            if (json)
            {
                JsonOutput.Write(result);
            }
            else
            {
                Terminal.Out.MarkupLine($"{result.Approved} approved proposal(s): {result.Done} done, {result.Skipped} skipped, {result.Failed} failed; {result.Writes} write(s)" +
                    (result.RateLimitWaitSeconds > 0 ? $", waited {result.RateLimitWaitSeconds:0} s for rate limits" : ""));
                Render(result.Outcomes.Select(o => (o.ProposalId, o.Repo, o.Action.Name(), o.Status.Name(), o.Number is { } n ? $"#{n}" : "", o.Message)).ToList());
            }

            return result.Failed > 0 ? ExitCode.PartialFailure : ExitCode.Success;
        }));
        return command;
    }

    private static void Render(IReadOnlyList<(string Id, string? Repo, string Action, string Status, string Subject, string Why)> rows)
    {
        if (rows.Count == 0)
        {
            Terminal.Out.MarkupLine("[grey]No approved proposals (see `sentinel triage list --status approved`).[/]");
            return;
        }

        var t = new Table().Border(TableBorder.Rounded).AddColumn("proposal").AddColumn("repo").AddColumn("action").AddColumn("status").AddColumn("issue").AddColumn("why");
        foreach (var r in rows)
        {
            t.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Repo ?? "-"), r.Action, r.Status, Markup.Escape(r.Subject), Markup.Escape(r.Why));
        }

        Terminal.Out.Write(t);
    }
}
