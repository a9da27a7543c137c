using System.CommandLine;
using Sentinel.Cli.Commands;

namespace Sentinel.Cli;

/// <summary>The whole `sentinel` command tree; tests parse workflow command lines against it.</summary>
public static class CommandTree
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "SMonitor Sentinel: the opt-in, privacy-first backend for smonitor bundles.\n" +
            "Ingest uploaded bundles into a privacy-scrubbed Parquet lake, aggregate health and regressions with DuckDB, " +
            "report them, publish a static dashboard, triage problems for human approval, file approved ones as GitHub issues, " +
            "query the lake read-only, and maintain it (forget an upload, retention, compaction). " +
            "`sentinel run` does the daily job in one go.\n" +
            "Exit codes: 0 success, 1 invalid usage or config, 2 some inputs rejected, 3 failure, 4 lake locked.");
        root.Options.Add(GlobalOptions.Lake);
        root.Options.Add(GlobalOptions.Config);
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(QuarantineCommand.Create());
        root.Subcommands.Add(AggregateCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(DashboardCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(TriageCommand.Create());
        root.Subcommands.Add(IssuesCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MaintenanceCommands.Forget());
        root.Subcommands.Add(MaintenanceCommands.Retention());
        root.Subcommands.Add(MaintenanceCommands.Compact());
        return root;
    }
}
