using Sentinel.Aggregate;

namespace Sentinel.Tests.Aggregate;

public sealed class RegressionStatisticsTests
{
    // ---- Mann-Whitney U, exact path -------------------------------------------------------------

    [Fact]
    public void MannWhitney_OneVersusOne_AfterLarger_IsOneHalf()
    {
        // Two equally likely orders; only one has after > before.
        var r = RegressionStatistics.MannWhitneyGreater([1.0], [2.0]);
        Assert.Equal(1.0, r.U);
        Assert.Equal(0.5, r.PValue, 12);
        Assert.True(r.Exact);
        Assert.Equal(1, r.NBefore);
        Assert.Equal(1, r.NAfter);
    }

    [Fact]
    public void MannWhitney_ThreeVersusThree_CompletelySeparated_IsOneTwentieth()
    {
        // C(6, 3) = 20 arrangements, exactly one with all of after above all of before.
        var r = RegressionStatistics.MannWhitneyGreater([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
        Assert.Equal(9.0, r.U);
        Assert.Equal(1.0 / 20, r.PValue, 12);
        Assert.True(r.Exact);
    }

    [Fact]
    public void MannWhitney_FourVersusFour_CompletelySeparated_IsOneSeventieth()
    {
        // C(8, 4) = 70 arrangements.
        var r = RegressionStatistics.MannWhitneyGreater([10.0, 11.0, 12.0, 13.0], [20.0, 21.0, 22.0, 23.0]);
        Assert.Equal(16.0, r.U);
        Assert.Equal(1.0 / 70, r.PValue, 12);
        Assert.True(r.Exact);
    }

    [Fact]
    public void MannWhitney_ThreeVersusThree_OneOverlap_IsTwoTwentieths()
    {
        // before 1,2,4 / after 3,5,6: U = 3 + 3 + 2 = 8. Arrangements with U ≥ 8: U = 9 (fully separated)
        // and U = 8 (only the middle pair swapped), so p = 2/20.
        var r = RegressionStatistics.MannWhitneyGreater([1.0, 2.0, 4.0], [3.0, 5.0, 6.0]);
        Assert.Equal(8.0, r.U);
        Assert.Equal(2.0 / 20, r.PValue, 12);
    }

    [Theory]
    [InlineData(2, 1, 1.0 / 3)]  // C(3, 1) = 3
    [InlineData(1, 2, 1.0 / 3)]
    [InlineData(2, 2, 1.0 / 6)]  // C(4, 2) = 6
    [InlineData(5, 5, 1.0 / 252)] // C(10, 5) = 252
    public void MannWhitney_CompletelySeparated_IsOneOverTheNumberOfArrangements(int nBefore, int nAfter, double expected)
    {
        var before = Enumerable.Range(0, nBefore).Select(i => (double)i).ToArray();
        var after = Enumerable.Range(100, nAfter).Select(i => (double)i).ToArray();
        var r = RegressionStatistics.MannWhitneyGreater(before, after);
        Assert.Equal(nBefore * nAfter, r.U);
        Assert.Equal(expected, r.PValue, 12);
        Assert.True(r.Exact);
    }

    [Fact]
    public void MannWhitney_ReversedDirection_AfterSmaller_IsCloseToOne()
    {
        // U = 0 is the minimum, so P(U ≥ 0) = 1.
        var r = RegressionStatistics.MannWhitneyGreater([4.0, 5.0, 6.0, 7.0], [0.5, 1.0, 2.0, 3.0]);
        Assert.Equal(0.0, r.U);
        Assert.Equal(1.0, r.PValue, 12);

        // One pair the "wrong" way round: P(U ≥ 1) = 1 − P(U = 0) = 1 − 1/70.
        var s = RegressionStatistics.MannWhitneyGreater([4.0, 5.0, 6.0, 7.0], [0.5, 1.0, 2.0, 4.5]);
        Assert.Equal(1.0, s.U);
        Assert.Equal(1 - (1.0 / 70), s.PValue, 12);
    }

    [Fact]
    public void MannWhitney_BalancedSamples_AreNotSignificant()
    {
        // before 1,4,5,8 / after 2,3,6,7: U = 1 + 1 + 3 + 3 = 8 = n1·n2/2, the null mean.
        // By symmetry P(U ≥ 8) = (1 + P(U = 8))/2. P(U = 8) counts partitions of 8 into at most 4 parts each ≤ 4:
        // 4+4, 4+3+1, 4+2+2, 4+2+1+1, 3+3+2, 3+3+1+1, 3+2+2+1, 2+2+2+2 → 8 of 70. p = (70 + 8)/140 = 39/70.
        var r = RegressionStatistics.MannWhitneyGreater([1.0, 4.0, 5.0, 8.0], [2.0, 3.0, 6.0, 7.0]);
        Assert.True(r.Exact);
        Assert.Equal(8.0, r.U);
        Assert.Equal(39.0 / 70, r.PValue, 12);

        var same = RegressionStatistics.MannWhitneyGreater([1.0, 3.0, 5.0, 7.0], [1.0, 3.0, 5.0, 7.0]);
        Assert.Equal(8.0, same.U); // 16 pairs: 6 wins, 4 ties (→ 2), 6 losses
        Assert.True(same.PValue >= 0.5);
    }

    [Fact]
    public void MannWhitney_AtTheExactLimit_IsExact_AndBeyondItIsNormal()
    {
        var fifty = Enumerable.Range(0, 50).Select(i => (double)i).ToArray();
        var fiftyAbove = Enumerable.Range(1000, 50).Select(i => (double)i).ToArray();
        var exact = RegressionStatistics.MannWhitneyGreater(fifty, fiftyAbove);
        Assert.True(exact.Exact);
        // 1 / C(100, 50) ≈ 9.9e-30: still positive and tiny.
        Assert.InRange(exact.PValue, 9e-30, 1.1e-29);

        var fiftyOne = Enumerable.Range(0, 51).Select(i => (double)i).ToArray();
        var normal = RegressionStatistics.MannWhitneyGreater(fiftyOne, fiftyAbove);
        Assert.False(normal.Exact);
        Assert.Equal(51 * 50, normal.U);
    }

    // ---- Mann-Whitney U, normal path ------------------------------------------------------------

    [Fact]
    public void MannWhitney_TiedSamples_UseTheTieCorrectedNormalApproximation()
    {
        // before: 10 ×10, 20 ×10, 30 ×10 (n1 = 30); after: 10 ×5, 20 ×10, 30 ×15 (n2 = 30).
        // U(after): a=10 vs b=10: 50 ties → 25; a=20 beats 10 b=10 → 100, ties 10 b=20 → 50;
        //           a=30 beats 20 b∈{10,20} → 300, ties 10 b=30 → 75.  U = 550, mean = 900/2 = 450.
        // Tie groups: 10 → 15, 20 → 20, 30 → 25; Σ(t³ − t) = 3360 + 7980 + 15600 = 26940.
        // N = 60: σ² = 900/12 · (61 − 26940/3540) = 75 · (61 − 7.610169) = 75 · 53.389831 = 4004.237,
        // σ = 63.2790. z = (550 − 450 − 0.5)/63.2790 = 1.5724.
        // Tables: Φ(1.57) = 0.94179, Φ(1.58) = 0.94295 → Φ(1.5724) ≈ 0.94207, p ≈ 0.0579.
        double[] before = [.. Enumerable.Repeat(10.0, 10), .. Enumerable.Repeat(20.0, 10), .. Enumerable.Repeat(30.0, 10)];
        double[] after = [.. Enumerable.Repeat(10.0, 5), .. Enumerable.Repeat(20.0, 10), .. Enumerable.Repeat(30.0, 15)];
        var r = RegressionStatistics.MannWhitneyGreater(before, after);
        Assert.False(r.Exact);
        Assert.Equal(550.0, r.U);
        Assert.Equal(0.0579, r.PValue, 0.0002);
    }

    [Fact]
    public void MannWhitney_AnyTie_SmallSamples_StillUsesTheNormalPath()
    {
        // before 1,2,3 / after 3,4,5: U = 3 + 3 + 2.5 = 8.5; one tie group of 2 → Σ(t³ − t) = 6.
        // σ² = 9/12 · (7 − 6/30) = 0.75 · 6.8 = 5.1, σ = 2.2583; z = (8.5 − 4.5 − 0.5)/2.2583 = 1.5498;
        // Φ(1.55) = 0.93943 → p ≈ 0.0606.
        var r = RegressionStatistics.MannWhitneyGreater([1.0, 2.0, 3.0], [3.0, 4.0, 5.0]);
        Assert.False(r.Exact);
        Assert.Equal(8.5, r.U);
        Assert.Equal(0.0606, r.PValue, 0.0003);
    }

    [Fact]
    public void MannWhitney_AllValuesEqual_GivesNoEvidence()
    {
        var r = RegressionStatistics.MannWhitneyGreater([5.0, 5.0, 5.0], [5.0, 5.0]);
        Assert.Equal(3.0, r.U);
        Assert.Equal(1.0, r.PValue);
    }

    [Fact]
    public void MannWhitney_ExactAndNormalPaths_AgreeForTwentyVersusTwenty()
    {
        // Untied 20 vs 20: every possible U in [0, 400], exact tail vs continuity-corrected normal tail.
        for (var u = 0; u <= 400; u++)
        {
            var exact = RegressionStatistics.ExactUpperTail(20, 20, u);
            var normal = RegressionStatistics.NormalUpperTail(20, 20, u, tieSum: 0);
            Assert.True(Math.Abs(exact - normal) < 0.02, $"U = {u}: exact {exact}, normal {normal}");
        }
    }

    [Fact]
    public void MannWhitney_ShiftedTwentyVersusTwenty_IsSignificantByBothPaths()
    {
        // before 0..19, after 10.5..29.5.
        var before = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        var after = Enumerable.Range(0, 20).Select(i => i + 10.5).ToArray();
        var r = RegressionStatistics.MannWhitneyGreater(before, after);
        Assert.True(r.Exact);
        // after[i] = i + 10.5 beats befores 0..min(19, i + 10): i = 0..8 give 11..19 (Σ = 135),
        // i = 9..19 beat all 20 (11 · 20 = 220). U = 355.
        Assert.Equal(355.0, r.U);
        var normal = RegressionStatistics.NormalUpperTail(20, 20, r.U, tieSum: 0);
        Assert.True(r.PValue < 0.001);
        Assert.Equal(normal, r.PValue, 0.02);
    }

    // ---- Mann-Whitney U, argument checks --------------------------------------------------------

    [Fact]
    public void MannWhitney_EmptySide_Throws()
    {
        Assert.Throws<ArgumentException>(() => RegressionStatistics.MannWhitneyGreater([], [1.0]));
        Assert.Throws<ArgumentException>(() => RegressionStatistics.MannWhitneyGreater([1.0], []));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void MannWhitney_NonFiniteValue_Throws(double bad)
    {
        Assert.Throws<ArgumentException>(() => RegressionStatistics.MannWhitneyGreater([1.0, bad], [2.0]));
        Assert.Throws<ArgumentException>(() => RegressionStatistics.MannWhitneyGreater([1.0], [2.0, bad]));
    }

    // ---- Poisson ---------------------------------------------------------------------------------

    [Fact]
    public void Poisson_ZeroObserved_IsExpOfMinusLambda()
    {
        Assert.Equal(Math.Exp(-3), RegressionStatistics.PoissonProbabilityOfAtMost(0, 3.0), 12);
        // Deep in the tail the relative precision holds: e^-50 ≈ 1.93e-22.
        var deep = RegressionStatistics.PoissonProbabilityOfAtMost(0, 50.0);
        Assert.Equal(1.0, deep / Math.Exp(-50), 9);
    }

    [Fact]
    public void Poisson_AtMostTwo_SumsTheFirstThreeTerms()
    {
        // P(X ≤ 2 | λ = 2) = e^-2 (1 + 2 + 4/2) = 5 e^-2 ≈ 0.676676.
        Assert.Equal(5 * Math.Exp(-2), RegressionStatistics.PoissonProbabilityOfAtMost(2, 2.0), 10);
        // P(X ≤ 1 | λ = 0.5) = e^-0.5 · 1.5.
        Assert.Equal(1.5 * Math.Exp(-0.5), RegressionStatistics.PoissonProbabilityOfAtMost(1, 0.5), 10);
    }

    [Fact]
    public void Poisson_NothingExpected_IsCertain()
    {
        Assert.Equal(1.0, RegressionStatistics.PoissonProbabilityOfAtMost(0, 0.0));
        Assert.Equal(1.0, RegressionStatistics.PoissonProbabilityOfAtMost(4, 0.0));
    }

    [Fact]
    public void Poisson_NegativeObserved_IsImpossible_AndBadExpectedThrows()
    {
        Assert.Equal(0.0, RegressionStatistics.PoissonProbabilityOfAtMost(-1, 2.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionStatistics.PoissonProbabilityOfAtMost(0, -1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionStatistics.PoissonProbabilityOfAtMost(0, double.NaN));
    }

    // ---- Median and Quantile ---------------------------------------------------------------------

    [Fact]
    public void Median_OddCount_IsTheMiddleValue_InAnyOrder()
    {
        Assert.Equal(3.0, RegressionStatistics.Median([5.0, 1.0, 3.0]));
        Assert.Equal(7.0, RegressionStatistics.Median([7.0]));
    }

    [Fact]
    public void Median_EvenCount_AveragesTheTwoMiddleValues()
    {
        Assert.Equal(2.5, RegressionStatistics.Median([4.0, 1.0, 3.0, 2.0]));
        Assert.Equal(15.0, RegressionStatistics.Median([10.0, 20.0]));
    }

    [Fact]
    public void Median_Empty_Throws() =>
        Assert.Throws<ArgumentException>(() => RegressionStatistics.Median([]));

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 10.0)]
    [InlineData(0.5, 3.5)]   // h = 5·0.5 = 2.5 → 3 + 0.5·(4 − 3)
    [InlineData(0.25, 2.25)] // h = 1.25 → 2 + 0.25·(3 − 2)
    [InlineData(0.9, 8.5)]   // h = 4.5 → 7 + 0.5·(10 − 7)
    [InlineData(0.4, 3.0)]   // h = 2 exactly → x[2]
    public void Quantile_InterpolatesLinearlyBetweenClosestRanks(double q, double expected)
    {
        // numpy.quantile([1, 2, 3, 4, 7, 10], q) with the default linear method.
        double[] sorted = [1.0, 2.0, 3.0, 4.0, 7.0, 10.0];
        Assert.Equal(expected, RegressionStatistics.Quantile(sorted, q), 12);
    }

    [Fact]
    public void Quantile_OfOneValue_IsThatValue()
    {
        Assert.Equal(42.0, RegressionStatistics.Quantile([42.0], 0.95));
    }

    [Fact]
    public void Quantile_Half_EqualsTheMedian()
    {
        double[] sorted = [1.0, 2.0, 5.0, 9.0];
        Assert.Equal(RegressionStatistics.Median(sorted), RegressionStatistics.Quantile(sorted, 0.5), 12);
    }

    [Fact]
    public void Quantile_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => RegressionStatistics.Quantile([], 0.5));
        Assert.Throws<ArgumentException>(() => RegressionStatistics.Quantile([2.0, 1.0], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionStatistics.Quantile([1.0, 2.0], 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionStatistics.Quantile([1.0, 2.0], double.NaN));
    }
}
