using System.CommandLine;
using Sentinel.Aggregate;
using Sentinel.Cli.Output;
using Sentinel.Dashboard;
using Sentinel.Ingest;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

/// <summary>The daily job in one command (DESIGN §10): ingest → aggregate → dashboard → report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Bundles to ingest first (same as `sentinel ingest`); none to only aggregate and rebuild the site.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<string>("--out") { Description = "Folder for the site (see `sentinel dashboard --help`).", Required = true, HelpName = "DIR" };
        var audience = new Option<string>("--audience")
        {
            Description = "Site audience: public or maintainers.",
            DefaultValueFactory = _ => SiteModelBuilder.Maintainers,
        };
        audience.AcceptOnlyFromAmong(SiteModelBuilder.Public, SiteModelBuilder.Maintainers);
        var versions = VersionOverrides.Create();
        var triage = new Option<bool>("--triage")
        {
            Description = "Also triage after aggregating (heuristics, plus the LLM when triage.provider is openai, which turns this on by itself).",
        };
        var command = new Command("run",
            "Ingest, aggregate, (triage,) build the dashboard and print the health report, in one process: the daily job in one command. " +
            "Exit 2 when any input was quarantined (everything else still ran).")
        {
            paths, output, audience, versions, triage,
        };
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var lake = parse.GetValue(GlobalOptions.Lake)!;
            // Everything that can be refused is checked before anything is written.
            var overrides = VersionOverrides.Parse(parse.GetValue(versions));
            DashboardBuilder.CheckTarget(parse.GetValue(output)!);
            var exit = ExitCode.Success;
            var inputs = parse.GetValue(paths) ?? [];
            if (inputs.Length > 0)
            {
                var progress = new SynchronousProgress<IngestProgress>(p => Console.Error.WriteLine($"ingest: [{p.Done}/{p.Total}] {p.Status,-11} {Sentinel.Text.TerminalText.Safe(p.Input)}"));
                var ingest = await Ingester.RunAsync(new IngestOptions(inputs, lake, config, overrides), progress, ct);
                Console.Error.WriteLine($"ingest: {ingest.Accepted} accepted, {ingest.Duplicates} duplicate(s), {ingest.Quarantined.Count} quarantined, {ingest.EventsWritten:N0} events written");
                foreach (var q in ingest.Quarantined)
                {
                    Console.Error.WriteLine($"ingest: quarantined {Sentinel.Text.TerminalText.Safe(q.Input)}: {Sentinel.Text.TerminalText.Safe(q.Reason)}");
                }

                foreach (var s in ingest.Skipped)
                {
                    Console.Error.WriteLine($"ingest: skipped {s.Where}: {s.Message}");
                }

                exit = ingest.ExitCode;
            }

            var aggregate = Aggregator.Run(new AggregateOptions(lake, config, Full: false,
                new SynchronousProgress<string>(m => Console.Error.WriteLine($"aggregate: {m}"))));
            Console.Error.WriteLine($"aggregate: {aggregate.Mode}, {aggregate.IngestsFolded} ingest(s) folded in, {aggregate.Regressions} regression finding(s)");
            if (parse.GetValue(triage) || config.Triage.Provider == "openai")
            {
                var llm = Sentinel.Triage.Triager.LlmStep(lake, config.Triage);
                var t = await Sentinel.Triage.Triager.RunAsync(lake, null, llm, TimeProvider.System, ct);
                Console.Error.WriteLine($"triage: {t.Signals} signal(s), {t.New} new proposal(s), {t.BecameStale} now stale" +
                    (llm is null ? "" : $", {t.LlmVerdicts} LLM verdict(s), {t.LlmFailures} fallback(s)"));
            }

            var site = DashboardBuilder.Build(new DashboardOptions(lake, parse.GetValue(output)!, parse.GetValue(audience)!, config));
            Console.Error.WriteLine($"dashboard: {site.Pages} pages ({site.Audience}) in {site.Out}");
            ReportCommand.Render(HealthReport.Build(lake, library: null, top: 10));
            Terminal.Out.WriteLine($"Site: {Path.Combine(site.Out, "index.html")}");
            return exit;
        }));
        return command;
    }
}
