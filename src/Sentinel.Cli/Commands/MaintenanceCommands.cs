using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Ingest;
using Sentinel.Maintenance;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

/// <summary><c>forget</c>, <c>retention</c> and <c>compact</c>: lake rewrites (docs/lake.md, "Maintenance").</summary>
internal static class MaintenanceCommands
{
    private static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    private static Option<bool> DryRun() =>
        new("--dry-run") { Description = "Show what would change; change nothing." };

    public static Command Forget()
    {
        var receipts = new Argument<string[]>("RECEIPT")
        {
            Description = "Receipts of the uploads to remove: the one `sentinel serve` answered, or the one `sentinel ingest` printed (24 hex digits).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var inbox = new Option<string?>("--inbox")
        {
            Description = "Also forget every upload whose deletion was asked for after it was ingested (markers that `sentinel serve` left in DIR/.forget/), then clear those markers and the processed copies in DIR/.done/.",
            HelpName = "DIR",
        };
        var dryRun = DryRun();
        var format = Format();
        var command = new Command("forget",
            "Remove every row of one or more uploads from the lake (events, timings, catalog rows, ledger row) and their " +
            "quarantined copies. A rewrite: atomic for readers, safe to re-run; the next aggregate rebuilds. " +
            "Exit 1 when a receipt given on the command line matches no upload.")
        {
            receipts, inbox, dryRun, format,
        };
        command.Validators.Add(r =>
        {
            var given = r.GetValue(receipts) ?? [];
            if (given.Length == 0 && r.GetValue(inbox) is null)
            {
                r.AddError("give at least one RECEIPT, or --inbox DIR");
            }

            foreach (var bad in given.Where(g => !InboxFiles.IsReceipt(g)))
            {
                r.AddError($"'{bad}' is not a receipt (24 lowercase hex digits)");
            }
        });
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var explicitReceipts = parse.GetValue(receipts) ?? [];
            var inboxDir = parse.GetValue(inbox);
            if (inboxDir is not null && !Directory.Exists(inboxDir))
            {
                throw new UsageException($"{inboxDir}: no such inbox folder");
            }

            var dry = parse.GetValue(dryRun);
            var lake = GlobalOptions.OpenLake(parse);
            var result = inboxDir is null
                ? LakeMaintenance.Forget(lake, explicitReceipts, dry)
                : LakeMaintenance.ForgetRequested(lake, explicitReceipts, inboxDir, dry);
            var missing = result.NotFound.Where(explicitReceipts.Contains).ToList();
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(new
                {
                    found = result.Found,
                    not_found = result.NotFound,
                    tables = result.Tables,
                    quarantine_entries_removed = result.QuarantineEntriesRemoved,
                    inbox_markers = result.InboxMarkers,
                    rewrite_id = result.RewriteId,
                    dry_run = result.DryRun,
                });
            }
            else
            {
                var t = Changes("forget" + (dry ? " (dry run)" : ""), result.Tables);
                t.AddRow("uploads matched", result.Found.Values.Sum(v => v.Count).ToString());
                t.AddRow("quarantined copies removed", result.QuarantineEntriesRemoved.ToString());
                if (inboxDir is not null)
                {
                    t.AddRow("inbox deletion requests", result.InboxMarkers.ToString());
                }

                Terminal.Out.Write(t);
                if (!dry && result.Found.Count > 0)
                {
                    Console.Error.WriteLine("forget: a tombstone (the content id only) keeps these exact uploads from being stored again; " +
                        "to share again, the user exports a fresh bundle");
                }
            }

            foreach (var receipt in result.NotFound)
            {
                Console.Error.WriteLine($"forget: {receipt}: no upload with this receipt in the ledger (never ingested, rejected, or already forgotten)");
            }

            return Task.FromResult(missing.Count > 0 ? ExitCode.InvalidUsage : ExitCode.Success);
        }));
        return command;
    }

    public static Command Retention()
    {
        var olderThan = new Option<string>("--older-than")
        {
            Description = "Drop raw rows received longer ago than this: 180d (days), 26w (weeks) or 36h (hours).",
            Required = true,
            HelpName = "AGE",
        };
        olderThan.Validators.Add(r =>
        {
            if (!LakeMaintenance.TryParseWindow(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--older-than: '{r.GetValueOrDefault<string>()}' is not an age like 180d, 26w or 36h");
            }
        });
        var dryRun = DryRun();
        var format = Format();
        var command = new Command("retention",
            "Delete raw event and timing rows uploaded before the window. The summaries keep counting them (their " +
            "partials move to <lake>/state/retired.duckdb in the same commit); the ledger and catalog stay. " +
            "A rewrite: atomic for readers, safe to re-run.")
        {
            olderThan, dryRun, format,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            LakeMaintenance.TryParseWindow(parse.GetValue(olderThan), out var window);
            var result = LakeMaintenance.Retention(GlobalOptions.OpenLake(parse), window, parse.GetValue(dryRun));
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(result);
            }
            else
            {
                var t = Changes("retention" + (result.DryRun ? " (dry run)" : ""), result.Tables);
                t.AddRow("received before", result.Cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
                Terminal.Out.Write(t);
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }

    public static Command Compact()
    {
        var all = new Option<bool>("--all")
        {
            Description = "Rewrite every file, also a partition's only file and large ones (migrates files written by older sentinel versions; see docs/lake.md).",
        };
        var dryRun = DryRun();
        var format = Format();
        var command = new Command("compact",
            $"Merge the small Parquet files (under {Maintenance.LakeMaintenance.CompactTargetBytes / (1024 * 1024)} MB) of each partition into one. " +
            "Same rows, fewer files. A rewrite: atomic for readers, safe to re-run (a compacted lake has nothing to do).")
        {
            all, dryRun, format,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var result = LakeMaintenance.Compact(GlobalOptions.OpenLake(parse), parse.GetValue(dryRun), all: parse.GetValue(all));
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(result);
            }
            else
            {
                var t = new Table().Border(TableBorder.Rounded).AddColumn("compact" + (result.DryRun ? " (dry run)" : ""))
                    .AddColumn(new TableColumn("").RightAligned());
                t.AddRow("partitions merged", result.Partitions.Count.ToString());
                t.AddRow("files before", result.FilesBefore.ToString("N0"));
                t.AddRow("files after", result.FilesAfter.ToString("N0"));
                Terminal.Out.Write(t);
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }

    private static Table Changes(string title, IReadOnlyList<TableChange> tables)
    {
        var t = new Table().Border(TableBorder.Rounded).AddColumn(Markup.Escape(title)).AddColumn(new TableColumn("").RightAligned());
        foreach (var c in tables)
        {
            t.AddRow($"{c.Table}: rows removed", c.RowsRemoved.ToString("N0"));
            t.AddRow($"{c.Table}: files rewritten / removed", $"{c.FilesRewritten} / {c.FilesRemoved}");
        }

        return t;
    }
}
