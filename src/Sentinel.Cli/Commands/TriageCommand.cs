using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Text;
using Sentinel.Triage;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class TriageCommand
{
    public static Command Create()
    {
        var provider = new Option<string?>("--provider") { Description = "none (heuristics only) or openai (any OpenAI-compatible endpoint from sentinel.yml); default: triage.provider." };
        provider.AcceptOnlyFromAmong("none", "openai");
        var library = new Option<string?>("--library") { Description = "Only this library.", HelpName = "NAME" };
        var approve = new Option<string?>("--approve") { Description = "Approve proposal ID (records who and when).", HelpName = "ID" };
        var reject = new Option<string?>("--reject") { Description = "Reject proposal ID.", HelpName = "ID" };
        var by = new Option<string?>("--by") { Description = "Who decides (default: $GITHUB_ACTOR, else the OS user).", HelpName = "NAME" };
        var note = new Option<string?>("--note") { Description = "A note kept with the decision.", HelpName = "TEXT" };
        var format = Format();
        var command = new Command("triage",
            "Propose a verdict for each notable problem and performance regression from the summaries (heuristics always; an LLM " +
            "through an OpenAI-compatible endpoint when configured, on anonymized aggregates only). Proposals wait in <lake>/state/ " +
            "until a human runs `sentinel triage --approve ID` or `--reject ID`.")
        {
            provider, library, approve, reject, by, note, format,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(approve) is not null && r.GetValue(reject) is not null)
            {
                r.AddError("give --approve or --reject, not both");
            }
        });
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var lake = GlobalOptions.OpenLake(parse);
            var decideId = parse.GetValue(approve) ?? parse.GetValue(reject);
            if (decideId is not null)
            {
                var action = parse.GetValue(approve) is not null ? DecisionAction.Approve : DecisionAction.Reject;
                var decided = Decide(() => Triager.Decide(lake, decideId, action, parse.GetValue(by), parse.GetValue(note)));
                if (decided is null)
                {
                    return ExitCode.InvalidUsage;
                }

                if (parse.GetValue(format) == "json")
                {
                    JsonOutput.Write(decided);
                }
                else
                {
                    Terminal.Out.MarkupLine($"{Markup.Escape(decided.Id)}: [bold]{decided.Status.Name()}[/] by {Markup.Escape(decided.LastDecision!.By)} at {decided.LastDecision.At:yyyy-MM-dd HH:mm}Z");
                }

                return ExitCode.Success;
            }

            var config = GlobalOptions.LoadConfig(parse);
            var llm = Triager.LlmStep(lake, config.Triage, parse.GetValue(provider));
            var useLlm = llm is not null;
            TriageResult result;
            try
            {
                result = await Triager.RunAsync(lake, parse.GetValue(library), llm, ct);
            }
            catch (TriageException e)
            {
                Console.Error.WriteLine($"sentinel: {e.Message}");
                return ExitCode.InvalidUsage;
            }

            foreach (var failure in result.LlmFailureReasons)
            {
                Console.Error.WriteLine($"triage: llm fell back to the heuristic verdict for {failure}");
            }

            var only = parse.GetValue(library);
            var pending = new ProposalStore(lake).Load().Where(p => p.Status is ProposalStatus.Pending or ProposalStatus.Stale && (only is null || p.Library == only)).ToList();
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(new { result, pending = pending.Select(ListRow) });
            }
            else
            {
                Terminal.Out.MarkupLine($"{result.Signals} signal(s): {result.New} new, {result.Updated} updated, {result.BecameStale} now stale, {result.Unchanged} unchanged" +
                    (useLlm ? $"; LLM verdicts {result.LlmVerdicts}, fallbacks {result.LlmFailures}" : "; heuristics only"));
                RenderList(pending);
            }

            return ExitCode.Success;
        }));
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    private static Proposal? Decide(Func<Proposal> decide)
    {
        try
        {
            return decide();
        }
        catch (TriageException e)
        {
            Console.Error.WriteLine($"sentinel: {e.Message}");
            return null;
        }
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only proposals with this status." };
        status.AcceptOnlyFromAmong([.. EnumNames.All<ProposalStatus>()]);
        var format = Format();
        var command = new Command("list", "List proposals (default: pending and stale ones).") { status, format };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var wanted = parse.GetValue(status);
            var proposals = new ProposalStore(GlobalOptions.OpenLake(parse)).Load()
                .Where(p => wanted is null ? p.Status is ProposalStatus.Pending or ProposalStatus.Stale : p.Status.Name() == wanted).ToList();
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(proposals.Select(ListRow));
            }
            else
            {
                RenderList(proposals);
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "A proposal id (p-…)." };
        var format = Format();
        var command = new Command("show", "Show one proposal: its signal, the heuristic and LLM verdicts, and the decisions.") { id, format };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var wanted = parse.GetValue(id)!;
            var p = new ProposalStore(GlobalOptions.OpenLake(parse)).Load().SingleOrDefault(x => x.Id == wanted);
            if (p is null)
            {
                Console.Error.WriteLine($"sentinel: no proposal '{wanted}' (see `sentinel triage list`)");
                return Task.FromResult(ExitCode.InvalidUsage);
            }

            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(p);
            }
            else
            {
                var c = Terminal.Out;
                c.MarkupLine($"[bold]{Markup.Escape(p.Id)}[/] {Markup.Escape(p.Library)} · {Markup.Escape(p.Kind)} · [bold]{p.Status.Name()}[/]");
                c.MarkupLine(Markup.Escape(p.Summary));
                foreach (var (label, v) in new[] { ("heuristic", (Verdict?)p.Heuristic), ("llm", p.Llm) })
                {
                    if (v is not null)
                    {
                        c.MarkupLine($"[grey]{label}[/] cause: {Markup.Escape(v.ProbableCause)}");
                        c.MarkupLine($"[grey]{label}[/] fix: {Markup.Escape(v.SuggestedFix)}");
                        c.MarkupLine($"[grey]{label}[/] severity {v.Severity}, impact {v.Impact:0.#%}, confidence {v.Confidence}");
                    }
                }

                if (p.LlmFailure is not null)
                {
                    c.MarkupLine($"[yellow]llm fallback:[/] {Markup.Escape(p.LlmFailure)}");
                }

                foreach (var d in p.Decisions)
                {
                    c.MarkupLine($"{d.Action.Name()} by {Markup.Escape(d.By)} at {d.At:yyyy-MM-dd HH:mm}Z{(d.Note is null ? "" : ": " + Markup.Escape(d.Note))}");
                }
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }

    private static object ListRow(Proposal p) => new
    {
        id = p.Id,
        library = p.Library,
        code = p.Signal.Code,
        trace_hash = p.Signal.TraceHash,
        function = p.Signal.Function,
        kind = p.Kind,
        status = p.Status,
        summary = p.Summary,
    };

    private static void RenderList(IReadOnlyList<Proposal> proposals)
    {
        if (proposals.Count == 0)
        {
            Terminal.Out.MarkupLine("[grey]No proposals to show.[/]");
            return;
        }

        var t = new Table().Border(TableBorder.Rounded).AddColumn("id").AddColumn("status").AddColumn("library").AddColumn("kind").AddColumn("summary");
        foreach (var p in proposals)
        {
            t.AddRow(Markup.Escape(p.Id), p.Status.Name(), Markup.Escape(p.Library), Markup.Escape(p.Kind), Markup.Escape(p.Summary));
        }

        Terminal.Out.Write(t);
    }
}
