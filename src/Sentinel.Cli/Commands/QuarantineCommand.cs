using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Ingest;
using Sentinel.Storage;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class QuarantineCommand
{
    public static Command Create()
    {
        var command = new Command("quarantine", "Rejected inputs, kept privately with their reason: list them, or replay them after a fix.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Replay());
        return command;
    }

    private static Command List()
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var list = new Command("list", "List quarantined inputs with their reasons.") { format };
        list.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var entries = Quarantine.List(GlobalOptions.OpenLake(parse));
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(entries);
                return Task.FromResult(ExitCode.Success);
            }

            if (entries.Count == 0)
            {
                Terminal.Out.MarkupLine("quarantine is empty");
                return Task.FromResult(ExitCode.Success);
            }

            var t = new Table().Border(TableBorder.Rounded).AddColumn("id").AddColumn("kind").AddColumn("input").AddColumn("reason");
            foreach (var e in entries)
            {
                var first = e.Problems.FirstOrDefault();
                var reason = first is null ? "" : $"{first.Where}{(first.Field is null ? "" : $" ({first.Field})")}: {first.Message}";
                if (e.Problems.Count > 1)
                {
                    reason += $" (+{e.Problems.Count - 1} more)";
                }

                t.AddRow(e.Id, e.Kind, Markup.Escape(Sentinel.Text.TerminalText.Safe(e.Input)), Markup.Escape(Sentinel.Text.TerminalText.Safe(reason)));
            }

            Terminal.Out.Write(t);
            return Task.FromResult(ExitCode.Success);
        }));
        return list;
    }

    private static Command Replay()
    {
        var ids = new Argument<string[]>("ID") { Description = "Quarantine ids to replay (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var replay = new Command("replay",
            "Re-ingest quarantined inputs with the current limits and config. An input that now ingests cleanly leaves the quarantine; " +
            "one that still fails stays, with its reason refreshed.")
        {
            ids,
        };
        replay.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var lake = GlobalOptions.OpenLake(parse);
            var config = GlobalOptions.LoadConfig(parse);
            var wanted = parse.GetValue(ids) ?? [];
            var entries = Quarantine.List(lake).Where(e => wanted.Length == 0 || wanted.Contains(e.Id)).ToList();
            var unknown = wanted.Except(entries.Select(e => e.Id)).ToList();
            if (unknown.Count > 0)
            {
                throw new UsageException($"no quarantine entry with id {string.Join(", ", unknown)} (see `sentinel quarantine list`)");
            }

            var result = await QuarantineReplay.RunAsync(lake, config, entries, ct);
            foreach (var r in result)
            {
                Terminal.Out.MarkupLine($"{r.Entry.Id} {Markup.Escape(Sentinel.Text.TerminalText.Safe(r.Entry.Input))}: {Markup.Escape(Sentinel.Text.TerminalText.Safe(r.Message))}");
            }

            return result.All(r => r.Cleared) ? ExitCode.Success : ExitCode.PartialFailure;
        }));
        return replay;
    }
}
