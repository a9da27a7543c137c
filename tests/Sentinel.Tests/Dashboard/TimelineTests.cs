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

    [Fact]
    public void A_public_period_total_never_reveals_fewer_than_k_runs_of_the_cells_left_out()
    {
        // k = 3. October: 8 runs in all, 1.0 has 4, 2.0 has 3, 3.0 has 1 (below k, left out). Showing 1.0 and 2.0 beside
        // the total would publish 3.0's one run (8 − 4 − 3), so 2.0 (the smaller) is left out too: 8 − 4 = 4 ≥ k.
        var month = new DateOnly(2026, 10, 1);
        List<ActivityPoint> a =
        [
            new("lib", null, -1, "day", D, 8, 0, 8, 0, 0),
            new("lib", null, -1, "week", TimelineBuilder.PeriodOf("week", D), 8, 0, 8, 0, 0),
            new("lib", null, -1, "month", month, 8, 0, 8, 0, 0),
            new("lib", "1.0", 0, "day", D, 4, 0, 4, 0, 0),
            new("lib", "2.0", 1, "day", D, 3, 0, 3, 0, 0),
            new("lib", "3.0", 2, "day", D, 1, 0, 1, 0, 0),
        ];

        var pub = TimelineBuilder.Build(a, ["1.0", "2.0"], [], k: 3)!;
        Assert.Equal("day", pub.Grain);
        Assert.Equal(8, Assert.Single(pub.Bins).Runs);
        Assert.Equal(["1.0"], pub.Adoption.Select(c => c.Version).ToArray());
        Assert.Equal(1, pub.CellsHidden);

        var maintainers = TimelineBuilder.Build(a, ["1.0", "2.0", "3.0"], [], k: 0)!;
        Assert.Equal(["1.0", "2.0", "3.0"], maintainers.Adoption.Select(c => c.Version).ToArray());
    }

    [Theory]
    [InlineData(new long[] { 4, 3 }, 8, 3, new[] { 1 })]   // 1 run left out: the smaller part goes too
    [InlineData(new long[] { 4, 3 }, 7, 3, new int[0])]    // nothing left out
    [InlineData(new long[] { 4, 3 }, 10, 3, new int[0])]   // 3 left out: enough
    [InlineData(new long[] { 3, 3 }, 7, 3, new[] { 0 })]   // a tie: the first goes, and 1 + 3 left out is enough
    [InlineData(new long[] { 5, 3 }, 7, 3, new int[0])]    // parts overlapping the total (runs in two versions): nothing to hide
    public void Complementary_suppression_hides_the_smallest_parts_first(long[] shown, long total, int k, int[] expected)
    {
        var hidden = Complement.Suppress(shown, total, k);
        Assert.Equal(expected, hidden.Order().ToArray());
    }
}
