using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Ingest;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create()
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "One bundle (.json/.jsonl, directory, .zip, .tar.gz)." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var versions = VersionOptions.Create();
        var command = new Command("inspect",
            "Show exactly what would be kept from a bundle (per library/version), what would be dropped or scrubbed " +
            "(counts by reason) and the verdict. Writes nothing.")
        {
            bundle, format,
        };
        versions.AddTo(command);
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var report = Ingester.Inspect(parse.GetValue(bundle)!, config, versions.Hints(parse));
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(report);
            }
            else
            {
                Render(report);
            }

            return Task.FromResult(report.Verdict == "accepted" ? ExitCode.Success : ExitCode.PartialFailure);
        }));
        return command;
    }

    private static void Render(InspectReport r)
    {
        var c = Terminal.Out;
        var colour = r.Verdict == "accepted" ? "green" : r.Verdict == "partial" ? "yellow" : "red";
        c.MarkupLine($"[bold]{Markup.Escape(Sentinel.Text.TerminalText.Safe(r.Input))}[/]: verdict [{colour}]{r.Verdict}[/] ({r.EventsSeen:N0} events read, {r.PerformanceRows} timing rows, {r.CatalogRows} catalog entries)");
        if (r.Kept.Count > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).AddColumn("library").AddColumn("version")
                .AddColumn(new TableColumn("events kept").RightAligned()).AddColumn("by level");
            foreach (var g in r.Kept)
            {
                t.AddRow(Markup.Escape(g.Library), Markup.Escape(g.Version), g.Events.ToString("N0"),
                    Markup.Escape(string.Join(", ", g.ByLevel.Select(kv => $"{kv.Key} {kv.Value}"))));
            }

            c.Write(t);
        }

        c.MarkupLine($"[grey]kept fields:[/] {Markup.Escape(string.Join(", ", r.KeptFields))}");
        c.MarkupLine("[grey]never kept:[/] message, human_summary, argv, context, extra (beyond identity keys), runtime, config, policy, report, triage, file names");
        if (r.DroppedOrScrubbed.Count > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).AddColumn("dropped / scrubbed").AddColumn(new TableColumn("count").RightAligned());
            foreach (var (k, v) in r.DroppedOrScrubbed)
            {
                t.AddRow(Markup.Escape(k), v.ToString("N0"));
            }

            c.Write(t);
        }

        foreach (var p in r.Problems.Take(20))
        {
            c.MarkupLine($"[yellow]problem[/] {Markup.Escape(p.Where)}{(p.Field is null ? "" : $" ({Markup.Escape(p.Field)})")}: {Markup.Escape(p.Message)}");
        }

        if (r.Problems.Count > 20)
        {
            c.MarkupLine($"[yellow]… and {r.Problems.Count - 20} more problems[/]");
        }
    }
}
