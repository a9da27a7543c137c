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
        // A value label on every bar, so a 0% bar (no height) still reads as a value, not as missing.
        trace["text"] = Array(versions.Select(v => v.ErrorFreeRate.ToString("0.0%", CultureInfo.InvariantCulture)));
        trace["textposition"] = "outside";
        trace["cliponaxis"] = false;
        Category(fig, "xaxis");
        ((JsonObject)fig["layout"]!)["yaxis"]!.AsObject()["range"] = new JsonArray(0, 100);
        return fig;
    }

    /// <summary>
    /// Error-free run rate by one environment dimension (Python version or platform), grouped by library version: one
    /// bar group per value in the given order, one bar per version, each with its value and (on hover) its runs.
    /// </summary>
    public static JsonObject ErrorFreeByEnvironment(IReadOnlyList<EnvironmentRow> rows, IReadOnlyList<string> values, IReadOnlyList<string> versionOrder, string axisTitle)
    {
        var versions = versionOrder.Where(v => rows.Any(r => r.Version == v)).ToList();
        var traces = versions.Select((v, i) =>
        {
            var mine = values.Select(value => rows.FirstOrDefault(r => r.Version == v && r.Value == value)).ToList();
            return Chart.Column<double, string, string>(
                values: mine.Select(r => r is null ? 0 : Math.Round(r.ErrorFreeRate * 100, 1)), Keys: values.ToArray(), Name: VersionText.Label(v),
                MarkerColor: Color.fromString(v == Storage.LakeSchema.Unknown ? StatusColours[HealthState.VersionNotReported] : Palette[i % Palette.Length]),
                UseDefaults: false);
        }).ToList();
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: axisTitle)
            .WithYAxisStyle<double, double, string>(TitleText: "error-free runs (%)");
        var fig = Figure(chart, height: 320);
        var data = fig["data"]!.AsArray();
        for (var i = 0; i < versions.Count; i++)
        {
            var mine = values.Select(value => rows.FirstOrDefault(r => r.Version == versions[i] && r.Value == value)).ToList();
            var trace = data[i]!.AsObject();
            var y = trace["y"]!.AsArray();
            for (var j = 0; j < mine.Count; j++)
            {
                if (mine[j] is null)
                {
                    y[j] = null; // no runs of this version there (or fewer than k): no bar, not a 0% bar
                }
            }

            trace["text"] = Array(mine.Select(r => r is null ? "" : r.ErrorFreeRate.ToString("0%", CultureInfo.InvariantCulture)));
            trace["textposition"] = "outside";
            trace["cliponaxis"] = false;
            trace["hovertext"] = Array(mine.Select(r => r is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"{VersionText.Label(r.Version)} on {r.Value}: {r.ErrorFreeRate:0.0%} error-free of {r.Runs} runs")));
            trace["hoverinfo"] = "text";
        }

        var layout = fig["layout"]!.AsObject();
        layout["barmode"] = "group";
        layout["legend"]!.AsObject()["traceorder"] = "normal";
        Category(fig, "xaxis", values);
        layout["yaxis"]!.AsObject()["range"] = new JsonArray(0, 110);
        return fig;
    }

    /// <summary>
    /// Runs per period by version, stacked (adoption: how fast users move to a release), on the page's shared date
    /// axis; each bar spans its period; version markers on top.
    /// </summary>
    public static JsonObject Adoption(Timeline t, IReadOnlyList<string> versionOrder)
    {
        var versions = versionOrder.Where(v => t.Adoption.Any(a => a.Version == v)).ToList();
        var traces = versions.Select((v, i) =>
        {
            var mine = t.Adoption.Where(a => a.Version == v).ToList();
            return Chart.Column<long, DateTime, string>(
                values: mine.Select(a => a.Runs), Keys: mine.Select(a => Day(a.Period)).ToArray(), Name: VersionText.Label(v),
                MarkerColor: Color.fromString(v == Storage.LakeSchema.Unknown ? StatusColours[HealthState.VersionNotReported] : Palette[i % Palette.Length]),
                UseDefaults: false);
        }).ToList();
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<DateTime, DateTime, string>(TitleText: $"{t.Grain} (UTC)")
            .WithYAxisStyle<long, long, string>(TitleText: $"runs per {t.Grain}");
        var fig = Figure(chart, height: 320);
        fig["layout"]!.AsObject()["barmode"] = "stack";
        fig["layout"]!["legend"]!.AsObject()["traceorder"] = "normal"; // versions in release order, not reversed by the stack
        TimeAxis(fig, t);
        WholeNumbers(fig, t.Adoption.GroupBy(a => a.Period).Select(g => g.Sum(a => a.Runs)).DefaultIfEmpty(0).Max());
        return fig;
    }

    /// <summary>
    /// Errors (ERROR + CRITICAL events) and warnings per run in each period, so a period with more users does not look
    /// worse; a period without runs is a gap. Shares the page's date axis and version markers.
    /// </summary>
    public static JsonObject PerRun(Timeline t)
    {
        var x = t.Bins.Select(b => Day(b.Period)).ToList();
        var chart = Chart.Combine(
            [
                Chart.Line<DateTime, double, string>(x: x, y: t.Bins.Select(b => b.ErrorsPerRun ?? 0), Name: "errors per run",
                    LineColor: Color.fromString(LevelColours["ERROR"]), ShowMarkers: true, UseDefaults: false),
                Chart.Line<DateTime, double, string>(x: x, y: t.Bins.Select(b => b.WarningsPerRun ?? 0), Name: "warnings per run",
                    LineColor: Color.fromString(LevelColours["WARNING"]), ShowMarkers: true, UseDefaults: false),
            ])
            .WithXAxisStyle<DateTime, DateTime, string>(TitleText: $"{t.Grain} (UTC)")
            .WithYAxisStyle<double, double, string>(TitleText: "events per run");
        var fig = Figure(chart, height: 320);
        var data = fig["data"]!.AsArray();
        for (var i = 0; i < t.Bins.Count; i++)
        {
            if (t.Bins[i].Runs == 0)
            {
                data[0]!["y"]![i] = null;
                data[1]!["y"]![i] = null;
            }
        }

        foreach (var trace in data.OfType<JsonObject>())
        {
            trace["hovertext"] = Array(t.Bins.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Period:yyyy-MM-dd}: {b.Runs} run(s), {b.Errors} error(s), {b.Warnings} warning(s)")));
            trace["hoverinfo"] = "text+name";
        }

        TimeAxis(fig, t);
        return fig;
    }

    /// <summary>
    /// The page's shared time axis: a date axis over the stated range (whole periods), points and bars at the middle of
    /// their period, and a dotted line with its label where each shown version was first seen.
    /// </summary>
    private static void TimeAxis(JsonObject fig, Timeline t)
    {
        var layout = fig["layout"]!.AsObject();
        var axis = layout["xaxis"]?.AsObject() ?? [];
        layout["xaxis"] = axis;
        axis["type"] = "date";
        axis["range"] = new JsonArray(Iso(t.From), Iso(TimelineBuilder.Next(t.Grain, t.To)));
        axis["tickformat"] = t.Grain == "month" ? "%b %Y" : "%b %d";
        if (t.Grain == "month")
        {
            axis["dtick"] = "M1"; // one tick per month, never "Oct 2026" twice
        }
        var periodMs = t.Grain switch { "day" => 86_400_000L, "week" => 7 * 86_400_000L, _ => 30 * 86_400_000L };
        foreach (var trace in fig["data"]!.AsArray().OfType<JsonObject>())
        {
            trace["xperiod"] = t.Grain == "month" ? "M1" : periodMs;
            trace["xperiodalignment"] = "middle";
            if ((string?)trace["type"] == "bar")
            {
                trace["width"] = periodMs * 0.8;
            }
        }

        var shapes = new JsonArray();
        var notes = new JsonArray();
        foreach (var m in t.Markers)
        {
            shapes.Add(new JsonObject
            {
                ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = Iso(m.Day), ["x1"] = Iso(m.Day), ["y0"] = 0, ["y1"] = 1,
                ["line"] = new JsonObject { ["color"] = "#57606a", ["width"] = 1, ["dash"] = "dot" },
            });
            notes.Add(new JsonObject
            {
                ["x"] = Iso(m.Day), ["xref"] = "x", ["y"] = 1, ["yref"] = "paper", ["yanchor"] = "bottom", ["showarrow"] = false,
                ["text"] = VersionText.Label(m.Version), ["font"] = new JsonObject { ["size"] = 10, ["color"] = "#57606a" },
            });
        }

        layout["shapes"] = shapes;
        layout["annotations"] = notes;
        layout["margin"] = Margin(56, 16, 64, 64);
        var y = layout["yaxis"]?.AsObject() ?? [];
        layout["yaxis"] = y;
        y["rangemode"] = "tozero";
    }

    /// <summary>Counts take whole-number ticks (no "0.2 runs") when the axis is short.</summary>
    private static void WholeNumbers(JsonObject fig, long max)
    {
        if (max <= 8)
        {
            var y = fig["layout"]!["yaxis"]!.AsObject();
            y["dtick"] = 1;
            y["tick0"] = 0;
        }
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

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

    /// <summary>
    /// A problem's events per day over [<paramref name="from"/>, <paramref name="to"/>] (the library page's range): one
    /// day-wide bar per day on a date axis, days without events at zero when <paramref name="zeroFill"/> (maintainers;
    /// in the public view a day not shown has no bar), version markers on top.
    /// </summary>
    public static JsonObject Daily(IReadOnlyList<DayCount> days, string level, DateOnly from, DateOnly to, bool zeroFill, IReadOnlyList<VersionMarker> markers)
    {
        var byDay = days.ToDictionary(d => d.Day, d => d.Events);
        var all = zeroFill
            ? TimelineBuilder.Periods("day", from, to).Select(d => new DayCount(d, byDay.GetValueOrDefault(d))).ToList()
            : days.ToList();
        var chart = Chart.Column<long, DateTime, string>(
                values: all.Select(d => d.Events), Keys: all.Select(d => Day(d.Day)).ToArray(), Name: "events",
                MarkerColor: Color.fromString(LevelColours.GetValueOrDefault(level, "#0969da")), UseDefaults: false)
            .WithXAxisStyle<DateTime, DateTime, string>(TitleText: "day (UTC)")
            .WithYAxisStyle<long, long, string>(TitleText: "events");
        var fig = Figure(chart, height: 280);
        TimeAxis(fig, new Timeline("day", from, to, [], [], markers.Where(m => m.Day >= from && m.Day <= to).ToList(), 0, 0, false));
        WholeNumbers(fig, all.Count > 0 ? all.Max(d => d.Events) : 0);
        return fig;
    }

    private static JsonObject Figure(GenericChart chart, int height)
    {
        var fig = JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
        var layout = fig["layout"]?.AsObject() ?? [];
        fig["layout"] = layout;
        layout["height"] = height;
        layout["autosize"] = true;
        layout["margin"] ??= Margin(48, 16, 64, 64); // room for tick labels and the axis title below them
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
