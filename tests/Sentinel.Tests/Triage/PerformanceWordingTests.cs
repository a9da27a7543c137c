using Sentinel.Triage;

namespace Sentinel.Tests.Triage;

/// <summary>Issue 16 (no "?" or empty numbers published): a slowdown without a ratio says so in words.</summary>
public sealed class PerformanceWordingTests
{
    private static ProblemSignal Slowdown(double? ratio, double? before, double? after) => new(
        "alpha", "performance", null, null, "alpha.core.solve", null, null, null,
        0, 4, 10, 0.4, ["1.0.0", "1.1.0"], "1.0.0", "1.1.0", "1.1.0",
        null, null, null, null, [], [], [], [], null, null,
        "1.0.0", "1.1.0", ratio, 0.01, before, after, 4, 4, "suspected");

    [Fact]
    public void A_slowdown_with_its_numbers_gives_the_ratio_and_medians()
    {
        var v = Heuristics.Judge(Slowdown(2.5, 10, 25));

        Assert.Equal("alpha.core.solve is ×2.5 slower (median p95 10 → 25 ms) from 1.0.0 to 1.1.0 (suspected)", v.Summary);
    }

    [Fact]
    public void A_slowdown_without_a_ratio_says_why_instead_of_printing_an_empty_one()
    {
        var v = Heuristics.Judge(Slowdown(null, null, null));

        Assert.Equal("alpha.core.solve may be slower (too few timed runs for a ratio) from 1.0.0 to 1.1.0 (suspected)", v.Summary);
        Assert.DoesNotContain("×", v.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("?", v.Summary, StringComparison.Ordinal);
    }
}
