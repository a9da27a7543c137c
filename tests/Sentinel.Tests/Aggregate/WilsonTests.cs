using Sentinel.Aggregate;

namespace Sentinel.Tests.Aggregate;

/// <summary>The 95% Wilson interval shown per version (issue 17), against values worked out by hand.</summary>
public sealed class WilsonTests
{
    [Theory]
    // p = 12/13: centre (0.9231 + 0.1478) / 1.2955 = 0.8266, half 1.96·sqrt(0.00546 + 0.00568) / 1.2955 = 0.1597
    [InlineData(12, 13, 0.6669, 0.9863)]
    // 0 of 6: the interval starts at 0 and is not empty
    [InlineData(0, 6, 0.0, 0.3903)]
    // 6 of 6
    [InlineData(6, 6, 0.6097, 1.0)]
    public void Interval_matches_the_formula(long successes, long n, double low, double high)
    {
        var (l, h) = Wilson.Interval(successes, n);

        Assert.Equal(low, l, 3);
        Assert.Equal(high, h, 3);
        Assert.InRange((double)successes / n, l, h);
    }

    [Fact]
    public void No_runs_means_no_knowledge() => Assert.Equal((0.0, 1.0), Wilson.Interval(0, 0));
}
