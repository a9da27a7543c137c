using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Dashboard;
using Sentinel.Pipeline;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

/// <summary>The daily job in one command (DESIGN §10): parses, calls <see cref="DailyJob"/>, prints the report.</summary>
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
        var versions = VersionOptions.Create();
        var triage = new Option<bool>("--triage")
        {
            Description = "Also triage after aggregating (heuristics, plus the LLM when triage.provider is openai, which turns this on by itself).",
        };
        var command = new Command("run",
            "Ingest, aggregate, (triage,) build the dashboard and print the health report, in one process: the daily job in one command. " +
            "Exit 2 when any input was quarantined (everything else still ran).")
        {
            paths, output, audience, triage,
        };
        versions.AddTo(command);
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var options = new DailyJobOptions(parse.GetValue(paths) ?? [], GlobalOptions.OpenLake(parse), config,
                versions.Hints(parse), parse.GetValue(output)!, parse.GetValue(audience)!, parse.GetValue(triage));
            var result = await DailyJob.RunAsync(options, new SynchronousProgress<string>(Console.Error.WriteLine), ct);
            ReportCommand.Render(result.Report);
            Terminal.Out.WriteLine($"Site: {Path.Combine(result.Site.Out, "index.html")}");
            return result.ExitCode;
        }));
        return command;
    }
}
