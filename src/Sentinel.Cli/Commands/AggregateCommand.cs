using System.CommandLine;
using Sentinel.Aggregate;
using Sentinel.Cli.Output;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class AggregateCommand
{
    public static Command Create()
    {
        var full = new Option<bool>("--full")
        {
            Description = "Rebuild from every committed file instead of folding in only the ingests since the last run (same result, slower).",
        };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("aggregate",
            "Compute health, problems, performance and regressions from the lake with DuckDB and write them to " +
            "<lake>/summary/ (Parquet + JSON) for report, dashboard and triage. Incremental: only ingests not yet " +
            "aggregated are read.")
        {
            full, format,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var progress = new SynchronousProgress<string>(m => Console.Error.WriteLine($"aggregate: {m}"));
            var result = Aggregator.Run(new AggregateOptions(GlobalOptions.OpenLake(parse), config, parse.GetValue(full), progress));
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(result);
            }
            else
            {
                var t = new Table().Border(TableBorder.Rounded).AddColumn("aggregate").AddColumn(new TableColumn("").RightAligned());
                t.AddRow("mode", Markup.Escape(result.Mode + (result.RebuildReason is null ? "" : $" ({result.RebuildReason})")));
                t.AddRow("ingests folded in", $"{result.IngestsFolded} of {result.IngestsTotal}");
                t.AddRow("events read", result.EventsFolded.ToString("N0"));
                t.AddRow("libraries / versions", $"{result.Libraries} / {result.Versions}");
                t.AddRow("problems", result.Problems.ToString("N0"));
                t.AddRow("regressions (confirmed)", $"{result.Regressions} ({result.ConfirmedRegressions})");
                t.AddRow("summaries", Markup.Escape(result.SummaryDir));
                t.AddRow("seconds", result.Seconds.ToString("0.00"));
                Terminal.Out.Write(t);
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }
}
