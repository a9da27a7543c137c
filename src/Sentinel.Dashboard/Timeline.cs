using Sentinel.Aggregate;

namespace Sentinel.Dashboard;

/// <summary>One period of a library's timeline: runs in it, and its errors and warnings per run (null: no runs).</summary>
public sealed record TimelineBin(DateOnly Period, long Runs, long ErrorRuns, long Events, long Errors, long Warnings, double? ErrorsPerRun, double? WarningsPerRun);

/// <summary>Runs of one version in one period (the adoption chart's stacked bars).</summary>
public sealed record AdoptionBin(DateOnly Period, string Version, long Runs);

/// <summary>The day a version was first seen, drawn as a marker on every time chart.</summary>
public sealed record VersionMarker(string Version, DateOnly Day);

/// <summary>
/// A library page's time axis (issue 17, item 3): one grain ("day", "week", "month") and one stated range
/// [<see cref="From"/>, <see cref="To"/>] (first days of the first and last period) shared by every time chart of the
/// page. <see cref="Bins"/> has every period of the range, zero-filled for maintainers; in the public view a period
/// backed by fewer than k runs is left out (counted in <see cref="BinsHidden"/>, <see cref="CellsHidden"/>).
/// </summary>
public sealed record Timeline(
    string Grain, DateOnly From, DateOnly To, IReadOnlyList<TimelineBin> Bins, IReadOnlyList<AdoptionBin> Adoption,
    IReadOnlyList<VersionMarker> Markers, long BinsHidden, long CellsHidden, bool Coarsened);

/// <summary>How a page's grain is chosen and its periods enumerated (docs/dashboard.md, "Time series").</summary>
public static class TimelineBuilder
{
    public static readonly IReadOnlyList<string> Grains = ["day", "week", "month"];

    /// <summary>
    /// The finest readable grain for a library's active days: days when the range is at most 31 days or at least a third
    /// of its days have runs; else weeks, up to two years; else months.
    /// </summary>
    public static string Natural(IReadOnlyCollection<DateOnly> activeDays)
    {
        if (activeDays.Count == 0)
        {
            return "day";
        }

        var span = activeDays.Max().DayNumber - activeDays.Min().DayNumber + 1;
        return span <= 31 || activeDays.Count * 3 >= span ? "day" : span <= 730 ? "week" : "month";
    }

    /// <summary>The first day of the period of <paramref name="grain"/> that holds <paramref name="day"/> (weeks start on Monday).</summary>
    public static DateOnly PeriodOf(string grain, DateOnly day) => grain switch
    {
        "day" => day,
        "week" => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        "month" => new DateOnly(day.Year, day.Month, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, "day, week or month"),
    };

    public static DateOnly Next(string grain, DateOnly period) => grain switch
    {
        "day" => period.AddDays(1),
        "week" => period.AddDays(7),
        _ => period.AddMonths(1),
    };

    /// <summary>Every period from <paramref name="from"/> to <paramref name="to"/> (both period starts), in order.</summary>
    public static IEnumerable<DateOnly> Periods(string grain, DateOnly from, DateOnly to)
    {
        for (var p = from; p <= to; p = Next(grain, p))
        {
            yield return p;
        }
    }

    /// <summary>
    /// The timeline of one library. <paramref name="k"/> 0 is the maintainers' view: the natural grain, every period
    /// drawn (zero runs: rates null, a gap). Otherwise (public) the grain is coarsened (day → week → month) until every
    /// period with runs has at least k of them; periods and version cells still below k at months are left out, and so
    /// are cells whose absence would let the period's total reveal fewer than k runs (<see cref="Complement"/>).
    /// </summary>
    public static Timeline? Build(IReadOnlyList<ActivityPoint> activity, IReadOnlyCollection<string> shownVersions,
        IReadOnlyList<VersionMarker> markers, int k)
    {
        var totals = activity.Where(a => a.Version is null).ToList();
        var days = totals.Where(a => a.Grain == "day").Select(a => a.Period).ToList();
        if (days.Count == 0)
        {
            return null;
        }

        var grain = Natural(days);
        var coarsened = false;
        while (k > 0 && grain != "month" && totals.Any(a => a.Grain == grain && a.Runs < k))
        {
            grain = Grains[Grains.IndexOf(grain) + 1];
            coarsened = true;
        }

        var at = totals.Where(a => a.Grain == grain).ToDictionary(a => a.Period);
        var from = PeriodOf(grain, days.Min());
        var to = PeriodOf(grain, days.Max());
        var bins = new List<TimelineBin>();
        long hidden = 0;
        foreach (var period in Periods(grain, from, to))
        {
            if (!at.TryGetValue(period, out var a))
            {
                if (k == 0)
                {
                    bins.Add(new TimelineBin(period, 0, 0, 0, 0, 0, null, null));
                }

                continue;
            }

            if (a.Runs < k)
            {
                hidden++;
                continue;
            }

            bins.Add(new TimelineBin(period, a.Runs, a.ErrorRuns, a.Events, a.Errors, a.Warnings,
                Math.Round((double)a.Errors / a.Runs, 3), Math.Round((double)a.Warnings / a.Runs, 3)));
        }

        var cells = activity.Where(a => a.Version is not null && a.Grain == grain && shownVersions.Contains(a.Version)).ToList();
        var shownTotals = bins.Where(b => b.Runs > 0).ToDictionary(b => b.Period, b => b.Runs);
        var adoption = new List<AdoptionBin>();
        foreach (var period in cells.Where(a => a.Runs >= k).GroupBy(a => a.Period).OrderBy(g => g.Key))
        {
            var inPeriod = period.OrderBy(a => a.VersionRank).ToList();
            // Next to a published period total, the cells left out must not add up to fewer than k runs.
            var drop = shownTotals.TryGetValue(period.Key, out var total) ? Complement.Suppress([.. inPeriod.Select(a => a.Runs)], total, k) : [];
            adoption.AddRange(inPeriod.Where((_, i) => !drop.Contains(i)).Select(a => new AdoptionBin(a.Period, a.Version!, a.Runs)));
        }

        var shownMarkers = markers.Where(m => shownVersions.Contains(m.Version) && m.Day >= from && m.Day < Next(grain, to)).ToList();
        return new Timeline(grain, from, to, bins, adoption, shownMarkers, hidden, cells.Count - adoption.Count, coarsened);
    }

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
