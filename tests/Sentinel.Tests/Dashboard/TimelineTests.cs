using Sentinel.Aggregate;
using Sentinel.Dashboard;

namespace Sentinel.Tests.Dashboard;

/// <summary>Issue 17, item 3: how a page's grain is chosen, periods enumerated and the public view thresholded.</summary>
public sealed class TimelineTests
{
    private static readonly DateOnly D = new(2026, 10, 1); // a Thursday

    [Fact]
    public void Weeks_start_on_monday_and_months_on_the_first()
    {
        Assert.Equal(new DateOnly(2026, 9, 28), TimelineBuilder.PeriodOf("week", D));
        Assert.Equal(new DateOnly(2026, 10, 5), TimelineBuilder.PeriodOf("week", new DateOnly(2026, 10, 11))); // a Sunday
        Assert.Equal(new DateOnly(2026, 10, 1), TimelineBuilder.PeriodOf("month", new DateOnly(2026, 10, 31)));
        Assert.Equal(5, TimelineBuilder.Periods("week", new DateOnly(2026, 9, 28), new DateOnly(2026, 10, 26)).Count());
    }

    [Fact]
    public void Sparse_activity_is_drawn_in_weeks_and_years_of_it_in_months()
    {
        Assert.Equal("day", TimelineBuilder.Natural([D, D.AddDays(30)]));                 // a month: days
        Assert.Equal("day", TimelineBuilder.Natural([.. Enumerable.Range(0, 20).Select(i => D.AddDays(i * 3))])); // a third of the days
        Assert.Equal("week", TimelineBuilder.Natural([D, D.AddDays(10), D.AddDays(90)]));
        Assert.Equal("month", TimelineBuilder.Natural([D, D.AddDays(800)]));
    }

    [Fact]
    public void The_public_timeline_hides_months_below_k_and_counts_them()
    {
        // Two months a year apart (weeks, then months): October has 5 runs, next October 1.
        var later = new DateOnly(2027, 10, 4);
        List<ActivityPoint> a =
        [
            new("lib", null, -1, "day", D, 5, 1, 9, 2, 1),
            new("lib", null, -1, "day", later, 1, 0, 1, 0, 0),
            new("lib", null, -1, "week", TimelineBuilder.PeriodOf("week", D), 5, 1, 9, 2, 1),
            new("lib", null, -1, "week", TimelineBuilder.PeriodOf("week", later), 1, 0, 1, 0, 0),
            new("lib", null, -1, "month", new DateOnly(2026, 10, 1), 5, 1, 9, 2, 9),
            new("lib", null, -1, "month", new DateOnly(2027, 10, 1), 1, 0, 1, 0, 0),
            new("lib", "1.0", 0, "month", new DateOnly(2026, 10, 1), 5, 1, 9, 2, 9),
            new("lib", "1.0", 0, "month", new DateOnly(2027, 10, 1), 1, 0, 1, 0, 0),
        ];

        var maintainers = TimelineBuilder.Build(a, ["1.0"], [], k: 0)!;
        Assert.Equal("week", maintainers.Grain);
        Assert.Equal(2, maintainers.Bins.Count(b => b.Runs > 0));
        Assert.True(maintainers.Bins.Count > 50); // every week between, zero-filled

        var pub = TimelineBuilder.Build(a, ["1.0"], [], k: 3)!;
        Assert.Equal("month", pub.Grain);
        Assert.True(pub.Coarsened);
        Assert.Equal([new DateOnly(2026, 10, 1)], pub.Bins.Select(b => b.Period).ToArray()); // no empty month drawn as zero either
        Assert.Equal(1, pub.BinsHidden);
        Assert.Equal(1, pub.CellsHidden);
        Assert.Equal(1.8, pub.Bins[0].ErrorsPerRun);
    }
}
