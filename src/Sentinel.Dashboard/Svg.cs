using System.Globalization;
using System.Text;

namespace Sentinel.Dashboard;

/// <summary>
/// Small charts drawn in C# as inline SVG: no script, no Plotly on pages that only need them (the home page's
/// sparklines). Attributes only, no style attribute: the Content-Security-Policy allows no inline style.
/// </summary>
internal static class Svg
{
    public const int SparkWidth = 120;
    public const int SparkHeight = 28;

    /// <summary>
    /// Events per period over [<paramref name="from"/>, <paramref name="to"/>] (the range every sparkline of the page
    /// shares): per day, or (the public home page, coarsened until k) per week or month, <paramref name="points"/> then
    /// holding period starts. A period with no events is drawn at zero when <paramref name="zeroFill"/>; otherwise
    /// (the public view, where "no events" and "fewer than k runs" must look alike) the line breaks there instead of
    /// bridging it. Points sit at their period's middle on a day scale, so sparklines of different grains line up.
    /// </summary>
    public static string Sparkline(IReadOnlyList<DayCount> points, DateOnly from, DateOnly to, bool zeroFill, string label, string grain = "day")
    {
        var periods = TimelineBuilder.Periods(grain, TimelineBuilder.PeriodOf(grain, from), TimelineBuilder.PeriodOf(grain, to)).ToList();
        var count = periods.Count;
        var byPeriod = points.ToDictionary(d => d.Day, d => d.Events);
        var values = periods.Select(p => byPeriod.TryGetValue(p, out var e) ? e : zeroFill ? 0 : (long?)null).ToList();
        var max = Math.Max(1, values.Max(v => v ?? 0));
        var span = Math.Max(1, to.DayNumber - from.DayNumber);
        double Middle(int i) => grain == "day" ? periods[i].DayNumber : (periods[i].DayNumber + TimelineBuilder.Next(grain, periods[i]).DayNumber - 1) / 2.0;
        double X(int i) => count == 1 ? SparkWidth / 2.0 : 1 + (Math.Clamp((Middle(i) - from.DayNumber) / span, 0, 1) * (SparkWidth - 2.0));
        double Y(long v) => SparkHeight - 2 - (v * (SparkHeight - 4.0) / max);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg class=\"spark\" viewBox=\"0 0 {SparkWidth} {SparkHeight}\" width=\"{SparkWidth}\" height=\"{SparkHeight}\" role=\"img\" ");
        sb.Append(inv, $"aria-label=\"{Html.E(label)}\" data-from=\"{from:yyyy-MM-dd}\" data-to=\"{to:yyyy-MM-dd}\" data-grain=\"{grain}\" data-points=\"{count}\" data-drawn=\"{values.Count(v => v is not null)}\">");
        sb.Append(inv, $"<title>{Html.E(label)}</title>");
        var segment = new List<string>();
        void Flush()
        {
            if (segment.Count == 1)
            {
                var xy = segment[0].Split(',');
                sb.Append(inv, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"1.5\" fill=\"#0969da\"/>");
            }
            else if (segment.Count > 1)
            {
                sb.Append(inv, $"<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"{string.Join(' ', segment)}\"/>");
            }

            segment.Clear();
        }

        for (var i = 0; i < count; i++)
        {
            if (values[i] is { } v)
            {
                segment.Add(string.Create(inv, $"{X(i):0.#},{Y(v):0.#}"));
            }
            else
            {
                Flush();
            }
        }

        Flush();
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A horizontal share bar (0–1) for a table cell, its value beside it in the cell's text.</summary>
    public static string ShareBar(double share, string colour, string label)
    {
        var width = Math.Clamp(share, 0, 1) * 100;
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg class=\"share\" viewBox=\"0 0 100 10\" width=\"100\" height=\"10\" role=\"img\" aria-label=\"{Html.E(label)}\" data-share=\"{share:0.####}\"><rect width=\"100\" height=\"10\" fill=\"#eaeef2\"/><rect width=\"{width:0.##}\" height=\"10\" fill=\"{colour}\"/></svg>");
    }
}
