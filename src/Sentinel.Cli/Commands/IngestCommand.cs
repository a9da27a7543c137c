using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Ingest;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Bundles to ingest: .json/.jsonl files, directory bundles, .zip, .tar.gz/.tgz, or folders of these (walked).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON document on stdout (same as --format json)." };
        var format = new Option<string>("--format") { Description = "Summary format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var versions = VersionOptions.Create();
        var inbox = new Option<string?>("--inbox")
        {
            Description = "Ingest the inbox folder `sentinel serve` writes (instead of PATH): receipts are kept in the ledger for " +
                          "`sentinel forget`, and each processed upload moves to DIR/.done/ after the commit.",
            HelpName = "DIR",
        };

        var command = new Command("ingest",
            "Validate, scrub and store bundles in the lake. Bad inputs are quarantined with a reason; re-running is safe " +
            "(duplicates store nothing). Exit 2 when any input was quarantined.")
        {
            paths, inbox, json, format,
        };
        versions.AddTo(command);
        command.Validators.Add(r =>
        {
            foreach (var token in (r.GetValue(paths) ?? []).Where(t => t.StartsWith("--", StringComparison.Ordinal)))
            {
                r.AddError($"unknown option '{token}' (see `sentinel ingest --help`)");
            }

            var given = r.GetValue(paths)?.Length ?? 0;
            var dir = r.GetValue(inbox);
            if (dir is null && given == 0)
            {
                r.AddError("give at least one PATH to ingest, or --inbox DIR");
            }
            else if (dir is not null && given > 0)
            {
                r.AddError("--inbox takes no PATH: it ingests what is in DIR");
            }
        });
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var inboxDir = parse.GetValue(inbox);
            if (inboxDir is not null && !Directory.Exists(inboxDir))
            {
                throw new UsageException($"{inboxDir}: no such inbox folder");
            }

            var options = new IngestOptions(inboxDir is null ? parse.GetValue(paths)! : [inboxDir], GlobalOptions.OpenLake(parse), config,
                versions.Hints(parse))
            {
                Inbox = inboxDir,
            };
            var asJson = parse.GetValue(json) || parse.GetValue(format) == "json";
            var result = await RunWithProgressAsync(options, ct);
            if (asJson)
            {
                JsonOutput.Write(new
                {
                    inputs = result.Inputs,
                    accepted = result.Accepted,
                    duplicates = result.Duplicates,
                    forgotten = result.Forgotten,
                    quarantined = result.Quarantined.Select(q => new { input = q.Input, reason = q.Reason, quarantine_id = q.QuarantineId }),
                    skipped = result.Skipped.Select(s => new { input = s.Where, reason = s.Message }),
                    ignored = result.Ignored,
                    events_written = result.EventsWritten,
                    events_duplicate = result.EventsDuplicate,
                    performance_rows_written = result.PerformanceRowsWritten,
                    catalog_rows_written = result.CatalogRowsWritten,
                    redactions = result.Redactions,
                    receipts = result.Receipts,
                    seconds = Math.Round(result.Seconds, 3),
                    events_per_second = Math.Round(result.EventsPerSecond),
                    moved_to_done = inboxDir is null ? (int?)null : result.MovedToDone,
                });
            }
            else
            {
                Render(result, inboxDir);
            }

            return result.ExitCode;
        }));
        return command;
    }

    private static async Task<IngestResult> RunWithProgressAsync(IngestOptions options, CancellationToken ct)
    {
        if (!Terminal.Interactive)
        {
            var plain = new SynchronousProgress<IngestProgress>(p =>
                Console.Error.WriteLine($"[{p.Done}/{p.Total}] {Sentinel.Text.EnumNames.Name(p.Status),-11} {Sentinel.Text.TerminalText.Safe(p.Input)}"));
            return await Ingester.RunAsync(options, plain, ct);
        }

        IngestResult? result = null;
        await Terminal.Err.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("ingest", maxValue: 1);
                var progress = new SynchronousProgress<IngestProgress>(p =>
                {
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = Markup.Escape(Sentinel.Text.TerminalText.Safe(Path.GetFileName(p.Input.TrimEnd('/'))));
                });
                result = await Ingester.RunAsync(options, progress, ct);
            });
        return result!;
    }

    private static void Render(IngestResult r, string? inbox)
    {
        var console = Terminal.Out;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("ingest").AddColumn(new TableColumn("").RightAligned());
        table.AddRow("inputs", r.Inputs.ToString());
        table.AddRow("accepted", r.Accepted.ToString());
        table.AddRow("duplicates (stored nothing)", r.Duplicates.ToString());
        if (r.Forgotten > 0)
        {
            table.AddRow("forgotten before (stored nothing)", r.Forgotten.ToString());
        }
        table.AddRow("quarantined", r.Quarantined.Count.ToString());
        table.AddRow("ignored (not uploads)", r.Ignored.ToString());
        table.AddRow("events written", r.EventsWritten.ToString("N0"));
        table.AddRow("duplicate events collapsed", r.EventsDuplicate.ToString("N0"));
        table.AddRow("performance rows written", r.PerformanceRowsWritten.ToString("N0"));
        table.AddRow("catalog rows written", r.CatalogRowsWritten.ToString("N0"));
        table.AddRow("events/s", r.EventsPerSecond.ToString("N0"));
        if (inbox is not null)
        {
            table.AddRow("moved to .done/", r.MovedToDone.ToString());
        }

        console.Write(table);
        if (r.Redactions.Count > 0)
        {
            var red = new Table().Border(TableBorder.Rounded).AddColumn("dropped / scrubbed (counts only)").AddColumn(new TableColumn("count").RightAligned());
            foreach (var (k, v) in r.Redactions)
            {
                red.AddRow(Markup.Escape(k), v.ToString("N0"));
            }

            console.Write(red);
        }

        foreach (var q in r.Quarantined)
        {
            console.MarkupLine($"[yellow]quarantined[/] {Markup.Escape(Sentinel.Text.TerminalText.Safe(q.Input))}: {Markup.Escape(Sentinel.Text.TerminalText.Safe(q.Reason))} [grey](id {q.QuarantineId})[/]");
        }

        foreach (var s in r.Skipped)
        {
            console.MarkupLine($"[yellow]skipped[/] {Markup.Escape(s.Where)}: {Markup.Escape(s.Message)}");
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
}
