using System.Globalization;
using System.Text.Json.Nodes;
using Plotly.NET;
using Plotly.NET.CSharp;
using Sentinel.Text;
using Sentinel.Aggregate;
using Chart = Plotly.NET.CSharp.Chart;

namespace Sentinel.Dashboard;

/// <summary>
/// The dashboard's figures, built with Plotly.NET and exported as plain figure JSON
/// (<c>{data, layout, config}</c>) that the page's own chart script hands to the local plotly.js.
/// Plotly.NET's C# surface covers traces and axis titles; the few layout details it makes awkward
/// (per-bar colours, margins, category axes) are set on the JSON afterwards.
/// </summary>
public static class Charts
{
    public static readonly IReadOnlyDictionary<string, string> LevelColours = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DEBUG"] = "#6e7781", ["INFO"] = "#0969da", ["WARNING"] = "#bf8700", ["ERROR"] = "#cf222e", ["CRITICAL"] = "#8250df",
    };

    public static readonly IReadOnlyDictionary<HealthState, string> StatusColours = new Dictionary<HealthState, string>
    {
        [HealthState.Healthy] = "#1a7f37", [HealthState.Degraded] = "#bc4c00", [HealthState.Failing] = "#cf222e", [HealthState.InsufficientData] = "#6e7781",
        [HealthState.VersionNotReported] = "#8c959f",
    };

    private static readonly string[] Palette = ["#0969da", "#bc4c00", "#1a7f37", "#8250df", "#cf222e", "#1b7c83", "#9a6700", "#bf3989", "#57606a", "#2da44e"];

    private static readonly string[] Levels = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

    /// <summary>A tiny line of events per day, for the home page.</summary>
    public static JsonObject Sparkline(IReadOnlyList<DayCount> days)
    {
        var chart = Chart.Line<DateTime, long, string>(
            x: days.Select(d => Day(d.Day)), y: days.Select(d => d.Events), Name: "events per day",
            LineColor: Color.fromString("#0969da"), UseDefaults: false);
        var fig = Figure(chart, height: 48);
        var layout = (JsonObject)fig["layout"]!;
        layout["margin"] = Margin(2, 2, 2, 2);
        layout["showlegend"] = false;
        layout["xaxis"] = new JsonObject { ["visible"] = false };
        layout["yaxis"] = new JsonObject { ["visible"] = false, ["rangemode"] = "tozero" };
        fig["config"] = new JsonObject { ["staticPlot"] = true };
        return fig;
    }

    /// <summary>Error-free run rate per version, each bar in its status colour.</summary>
    public static JsonObject ErrorFreeByVersion(IReadOnlyList<VersionRow> versions)
    {
        var chart = Chart.Column<double, string, string>(
                values: versions.Select(v => Math.Round(v.ErrorFreeRate * 100, 2)), Keys: versions.Select(v => VersionText.Label(v.Version)).ToArray(),
                Name: "error-free runs (%)", UseDefaults: false)
            .WithXAxisStyle<string, string, string>(TitleText: "version")
            .WithYAxisStyle<double, double, string>(TitleText: "error-free runs (%)");
        var fig = Figure(chart, height: 300);
        var trace = (JsonObject)((JsonArray)fig["data"]!)[0]!;
        trace["marker"] = new JsonObject { ["color"] = Array(versions.Select(v => StatusColours.GetValueOrDefault(v.Status, "#6e7781"))) };
        trace["hovertext"] = Array(versions.Select(v => $"{VersionText.Label(v.Version)}: {v.ErrorFreeRate:0.0%} of {v.Runs} runs ({v.Status.Name()})"));
        trace["hoverinfo"] = "text";
        Category(fig, "xaxis");
        ((JsonObject)fig["layout"]!)["yaxis"]!.AsObject()["range"] = new JsonArray(0, 100);
        return fig;
    }

    /// <summary>Events per day, one line per level.</summary>
    /// <summary>
    /// Events per day and level over one daily axis from the first to the last day: a day without events of a level is
    /// drawn at zero when <paramref name="zeroFill"/> (maintainers), so a line never bridges a gap; in the public view
    /// a day not shown (fewer than k runs, or no events) is a gap (null), as "no events" and "too few runs" must look alike.
    /// </summary>
    public static JsonObject EventsOverTime(IReadOnlyList<TrendRow> trends, bool zeroFill = true)
    {
        var first = trends.Min(t => t.Day);
        var days = Enumerable.Range(0, trends.Max(t => t.Day).DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        var levels = Levels.Where(level => trends.Any(t => t.Level == level)).ToList();
        var traces = levels
            .Select(level =>
            {
                var byDay = trends.Where(t => t.Level == level).ToDictionary(t => t.Day, t => t.Events);
                return Chart.Line<DateTime, long, string>(
                    x: days.Select(Day), y: days.Select(d => byDay.GetValueOrDefault(d)), Name: level,
                    LineColor: Color.fromString(LevelColours[level]), ShowMarkers: true, UseDefaults: false);
            })
            .ToList();
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<DateTime, DateTime, string>(TitleText: "day (UTC)")
            .WithYAxisStyle<long, long, string>(TitleText: "events");
        var figure = Figure(chart, height: 320);
        if (!zeroFill)
        {
            var data = figure["data"]!.AsArray();
            for (var i = 0; i < levels.Count; i++)
            {
                var shown = trends.Where(t => t.Level == levels[i]).Select(t => t.Day).ToHashSet();
                var y = data[i]!["y"]!.AsArray();
                for (var j = 0; j < days.Count; j++)
                {
                    if (!shown.Contains(days[j]))
                    {
                        y[j] = null;
                    }
                }
            }
        }

        return figure;
    }

    /// <summary>Median per-run p95 by version, one line per function; regressions marked on top.</summary>
    public static JsonObject PerformanceByVersion(IReadOnlyList<PerformanceRow> rows, IReadOnlyList<string> versionOrder, IReadOnlyList<RegressionRow> regressions)
    {
        var functions = rows.Select(r => r.Function).Distinct().Order(StringComparer.Ordinal).ToList();
        var traces = functions.Select((f, i) =>
        {
            var points = rows.Where(r => r.Function == f && r.P95MedianMs is not null)
                .OrderBy(r => IndexOf(versionOrder, r.Version)).ToList();
            return Chart.Line<string, double, string>(
                x: points.Select(p => p.Version), y: points.Select(p => p.P95MedianMs!.Value), Name: f,
                LineColor: Color.fromString(Palette[i % Palette.Length]), ShowMarkers: true, UseDefaults: false);
        }).ToList();

        var marks = regressions.Where(r => r.Kind == RegressionKind.Performance && r.AfterValue is not null && functions.Contains(r.Subject)).ToList();
        foreach (var status in new[] { RegressionStatus.Confirmed, RegressionStatus.Suspected })
        {
            var mine = marks.Where(r => r.Status == status).ToList();
            if (mine.Count > 0)
            {
                traces.Add(Chart.Scatter<string, double, string>(
                    x: mine.Select(r => r.Version), y: mine.Select(r => r.AfterValue!.Value), Name: $"{status.Name()} regression",
                    mode: StyleParam.Mode.Markers,
                    MarkerColor: Color.fromString(status == RegressionStatus.Confirmed ? "#cf222e" : "#bc4c00"), UseDefaults: false));
            }
        }

        var chart = Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "version")
            .WithYAxisStyle<double, double, string>(TitleText: "median per-run p95 (ms)");
        var fig = Figure(chart, height: 360);
        Category(fig, "xaxis", versionOrder.Where(v => rows.Any(r => r.Version == v)));
        foreach (var trace in ((JsonArray)fig["data"]!).OfType<JsonObject>().Where(t => ((string?)t["name"])?.EndsWith(" regression", StringComparison.Ordinal) == true))
        {
            var confirmed = ((string?)trace["name"])!.StartsWith("confirmed", StringComparison.Ordinal);
            trace["marker"]!.AsObject()["symbol"] = confirmed ? "x" : "circle-open";
            trace["marker"]!.AsObject()["size"] = 14;
            trace["hovertext"] = Array(marks.Where(r => r.Status == (confirmed ? RegressionStatus.Confirmed : RegressionStatus.Suspected)).Select(r => $"{r.Subject}: {r.Reason}"));
            trace["hoverinfo"] = "text";
        }

        return fig;
    }

    /// <summary>A problem's events per day.</summary>
    public static JsonObject Daily(IReadOnlyList<DayCount> days, string level)
    {
        var chart = Chart.Column<long, DateTime, string>(
                values: days.Select(d => d.Events), Keys: days.Select(d => Day(d.Day)).ToArray(), Name: "events",
                MarkerColor: Color.fromString(LevelColours.GetValueOrDefault(level, "#0969da")), UseDefaults: false)
            .WithXAxisStyle<DateTime, DateTime, string>(TitleText: "day (UTC)")
            .WithYAxisStyle<long, long, string>(TitleText: "events");
        return Figure(chart, height: 280);
    }

    private static JsonObject Figure(GenericChart chart, int height)
    {
        var fig = JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
        var layout = fig["layout"]?.AsObject() ?? [];
        fig["layout"] = layout;
        layout["height"] = height;
        layout["autosize"] = true;
        layout["margin"] ??= Margin(48, 16, 24, 56);
        layout["font"] = new JsonObject { ["family"] = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", ["size"] = 12 };
        layout["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -0.25 };
        layout["paper_bgcolor"] = "rgba(0,0,0,0)";
        layout["plot_bgcolor"] = "rgba(0,0,0,0)";
        return fig;
    }

    private static void Category(JsonObject fig, string axis, IEnumerable<string>? order = null)
    {
        var layout = fig["layout"]!.AsObject();
        var a = layout[axis]?.AsObject() ?? [];
        layout[axis] = a;
        a["type"] = "category";
        if (order is not null)
        {
            a["categoryorder"] = "array";
            a["categoryarray"] = Array(order);
        }
    }

    private static JsonObject Margin(int t, int r, int b, int l) => new() { ["t"] = t, ["r"] = r, ["b"] = b, ["l"] = l };

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static int IndexOf(IReadOnlyList<string> order, string value)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == value)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    // Dates go in as UTC midnights; Plotly.NET writes them with a 'Z' and no local offset.
    private static DateTime Day(DateOnly d) => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
