using Sentinel.Text;
using System.CommandLine;
using Sentinel.Aggregate;
using Sentinel.Cli.Output;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create()
    {
        var library = new Option<string?>("--library") { Description = "Only this library.", HelpName = "NAME" };
        var format = new Option<string>("--format")
        {
            Description = "table (terminal), json (one document on stdout) or markdown (CI job summaries).",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json", "markdown");
        var top = new Option<int>("--top") { Description = "How many top problems to list.", DefaultValueFactory = _ => 10, HelpName = "N" };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--top must be at least 1");
            }
        });
        var command = new Command("report",
            "The health summary from the last `sentinel aggregate`: libraries and versions with status, top problems, " +
            "regressions with their evidence. Warns (stderr) when the lake changed since the aggregate.")
        {
            library, format, top,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var report = HealthReport.Build(GlobalOptions.OpenLake(parse), parse.GetValue(library), parse.GetValue(top));
            if (report.Stale)
            {
                Console.Error.WriteLine("sentinel: warning: the lake changed since the last aggregate; run `sentinel aggregate` for current numbers");
            }

            switch (parse.GetValue(format))
            {
                case "json":
                    JsonOutput.Write(new
                    {
                        generated_from = report.Meta,
                        stale = report.Stale,
                        library = report.Library,
                        libraries = report.Libraries,
                        versions = report.Versions,
                        top_problems = report.TopProblems,
                        regressions = report.Regressions,
                    });
                    break;
                case "markdown":
                    Console.Out.Write(MarkdownReport.Render(report));
                    break;
                default:
                    Render(report);
                    break;
            }

            return Task.FromResult(ExitCode.Success);
        }));
        return command;
    }

    private static string StatusMarkup(HealthState status) => status switch
    {
        HealthState.Healthy => "[green]healthy[/]",
        HealthState.Degraded => "[yellow]degraded[/]",
        HealthState.Failing => "[red]failing[/]",
        _ => $"[grey]{status.Name()}[/]",
    };

    internal static void Render(HealthReport r)
    {
        var c = Terminal.Out;
        c.MarkupLine($"[bold]Sentinel health[/]{(r.Library is null ? "" : $": {Markup.Escape(r.Library)}")} — {r.Meta.Bundles:N0} bundles, {r.Meta.Runs:N0} runs, {r.Meta.Events:N0} events; newest upload {r.Meta.NewestUpload:yyyy-MM-dd}");

        var libs = new Table().Border(TableBorder.Rounded).Title("libraries")
            .AddColumn("library").AddColumn("latest").AddColumn("status")
            .AddColumn(new TableColumn("error-free runs").RightAligned()).AddColumn(new TableColumn("runs").RightAligned())
            .AddColumn(new TableColumn("events").RightAligned()).AddColumn(new TableColumn("regressions conf./susp.").RightAligned());
        foreach (var l in r.Libraries)
        {
            libs.AddRow(Markup.Escape(l.Library), Markup.Escape(VersionText.Label(l.LatestVersion)), StatusMarkup(l.LatestStatus), HealthReport.Percent(l.ErrorFreeRate),
                l.Runs.ToString("N0"), l.Events.ToString("N0"), $"{l.ConfirmedRegressions} / {l.SuspectedRegressions}");
        }

        c.Write(libs);

        var versions = new Table().Border(TableBorder.Rounded).Title("versions")
            .AddColumn("library").AddColumn("version").AddColumn("status")
            .AddColumn(new TableColumn("error-free").RightAligned()).AddColumn(new TableColumn("runs").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned()).AddColumn("why");
        foreach (var v in r.Versions)
        {
            versions.AddRow(Markup.Escape(v.Library), Markup.Escape(VersionText.Label(v.Version)), StatusMarkup(v.Status), HealthReport.Percent(v.ErrorFreeRate),
                v.Runs.ToString("N0"), (v.Error + v.Critical).ToString("N0"), Markup.Escape(v.StatusReason));
        }

        c.Write(versions);

        if (r.TopProblems.Count > 0)
        {
            var problems = new Table().Border(TableBorder.Rounded).Title("top problems")
                .AddColumn("library").AddColumn("level").AddColumn("problem").AddColumn("title")
                .AddColumn(new TableColumn("events").RightAligned()).AddColumn(new TableColumn("runs").RightAligned())
                .AddColumn("versions").AddColumn("");
            foreach (var p in r.TopProblems)
            {
                var level = p.Level is "ERROR" or "CRITICAL" ? $"[red]{p.Level}[/]" : $"[yellow]{p.Level}[/]";
                problems.AddRow(Markup.Escape(p.Library), level, Markup.Escape(HealthReport.Subject(p)), Markup.Escape(p.Title ?? ""),
                    p.Events.ToString("N0"), p.RunsAffected.ToString("N0"), Markup.Escape(VersionText.Labels(p.Versions)), Markup.Escape(HealthReport.Badges(p)));
            }

            c.Write(problems);
        }

        if (r.Regressions.Count == 0)
        {
            c.MarkupLine("[green]No regressions detected.[/]");
            return;
        }

        var regs = new Table().Border(TableBorder.Rounded).Title("regressions")
            .AddColumn("status").AddColumn("library").AddColumn("kind").AddColumn("subject").AddColumn("version").AddColumn("evidence");
        foreach (var g in r.Regressions)
        {
            regs.AddRow(g.Status == RegressionStatus.Confirmed ? "[red]confirmed[/]" : "[grey]suspected[/]", Markup.Escape(g.Library), Markup.Escape(RegressionScope.KindLabel(g.Kind, g.Code)),
                Markup.Escape(HealthReport.Subject(g)), Markup.Escape(g.FromVersion is null ? g.Version : $"{g.FromVersion} → {g.Version}"), Markup.Escape(g.Reason));
        }

        c.Write(regs);
    }
}
