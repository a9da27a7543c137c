using System.CommandLine;
using Sentinel.Cli.Output;
using Sentinel.Dashboard;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class DashboardCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the site (replaced whole; a folder not written by this command is never replaced).",
            Required = true,
            HelpName = "DIR",
        };
        var audience = new Option<string>("--audience")
        {
            Description = "public: hide every number backed by fewer than privacy.min_runs_public runs; maintainers: show everything.",
            DefaultValueFactory = _ => SiteModelBuilder.Maintainers,
        };
        audience.AcceptOnlyFromAmong(SiteModelBuilder.Public, SiteModelBuilder.Maintainers);
        var generatedAt = new Option<string?>("--generated-at")
        {
            Description = "A build time to print in the footer (e.g. $(date -u +%FT%TZ)); without it the site has no clock time and the same lake gives the same bytes.",
            HelpName = "TEXT",
        };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("dashboard",
            "Write the static health site from the last `sentinel aggregate`: home, one page per library and per top problem, " +
            "Plotly charts with plotly.js shipped once as a local asset, data/*.json behind every page. Opens from disk with no network.")
        {
            output, audience, generatedAt, format,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var config = GlobalOptions.LoadConfig(parse);
            var result = DashboardBuilder.Build(new DashboardOptions(GlobalOptions.OpenLake(parse), parse.GetValue(output)!,
                parse.GetValue(audience)!, config, parse.GetValue(generatedAt)));
            if (result.Stale)
            {
                Console.Error.WriteLine("sentinel: warning: the lake changed since the last aggregate; run `sentinel aggregate` first for current numbers");
            }

            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(result);
            }
            else
            {
                var t = new Table().Border(TableBorder.Rounded).AddColumn("dashboard").AddColumn(new TableColumn("").RightAligned());
                t.AddRow("site", Markup.Escape(result.Out));
                t.AddRow("audience", result.Audience);
                t.AddRow("libraries", result.Libraries.ToString("N0"));
                t.AddRow("pages (problem pages)", $"{result.Pages:N0} ({result.ProblemPages:N0})");
                t.AddRow("size", $"{result.Bytes / 1024.0 / 1024.0:0.0} MB (largest page data {result.LargestPageDataBytes / 1024.0:0.0} KB)");
                t.AddRow("seconds", result.Seconds.ToString("0.00"));
                Terminal.Out.Write(t);
                Terminal.Out.MarkupLine($"Open [link]{Markup.Escape(Path.Combine(result.Out, "index.html"))}[/] in a browser.");
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }
}
