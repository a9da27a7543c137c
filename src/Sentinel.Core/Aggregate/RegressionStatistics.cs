using MathNet.Numerics.Distributions;

namespace Sentinel.Aggregate;

/// <summary>
/// The outcome of a one-sided Mann-Whitney U test of "<c>after</c> tends to be larger than <c>before</c>".
/// </summary>
/// <param name="U">
/// The statistic for <c>after</c>: the number of (before, after) pairs with after &gt; before, a tie counting 0.5.
/// Ranges from 0 to <c>NBefore * NAfter</c>; its null mean is half of that.
/// </param>
/// <param name="PValue">P(U' ≥ U) under the null hypothesis that both samples come from one distribution.</param>
/// <param name="NBefore">Size of the <c>before</c> sample.</param>
/// <param name="NAfter">Size of the <c>after</c> sample.</param>
/// <param name="Exact">
/// True when <see cref="PValue"/> comes from the exact null distribution of U; false when from the
/// normal approximation (tie- and continuity-corrected).
/// </param>
internal sealed record MannWhitneyResult(double U, double PValue, int NBefore, int NAfter, bool Exact);

/// <summary>
/// The statistical tests behind regression detection: a one-sided Mann-Whitney U test for
/// "per-run p95 latencies got worse", a Poisson tail for "a problem is fixed in version V", and the
/// median and linearly interpolated quantiles used to summarise samples.
/// </summary>
internal static class RegressionStatistics
{
    /// <summary>
    /// Largest sample size (on each side) for which the exact null distribution is used when there are
    /// no ties. Its dynamic programme costs O(n1² · n2²) additions: ~6·10⁶ at 50 × 50.
    /// </summary>
    internal const int ExactLimit = 50;

    /// <summary>
    /// One-sided Mann-Whitney U test of the alternative "values in <paramref name="after"/> tend to be larger
    /// than values in <paramref name="before"/>" (a performance regression when the values are latencies).
    /// </summary>
    /// <remarks>
    /// When the pooled sample has no ties and both sides have at most 50 values, the p-value is exact: the
    /// null distribution of U is counted over all C(n1 + n2, n1) equally likely arrangements. Otherwise the
    /// normal approximation is used, with the variance corrected for ties and a continuity correction of
    /// 0.5. A pooled sample whose values are all equal carries no evidence and gives a p-value of 1.
    /// </remarks>
    /// <param name="before">The baseline sample (e.g. per-run p95 latencies of the earlier version).</param>
    /// <param name="after">The sample suspected to be larger (e.g. the later version's).</param>
    /// <exception cref="ArgumentException">Either sample is empty or contains a NaN or infinite value.</exception>
    public static MannWhitneyResult MannWhitneyGreater(IReadOnlyList<double> before, IReadOnlyList<double> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        RequireNonEmptyFinite(before, nameof(before));
        RequireNonEmptyFinite(after, nameof(after));

        var n1 = before.Count;
        var n2 = after.Count;
        var (u, tieSum) = UStatistic(before, after);

        if (tieSum == 0 && n1 <= ExactLimit && n2 <= ExactLimit)
        {
            return new MannWhitneyResult(u, ExactUpperTail(n1, n2, u), n1, n2, Exact: true);
        }

        return new MannWhitneyResult(u, NormalUpperTail(n1, n2, u, tieSum), n1, n2, Exact: false);
    }

    /// <summary>
    /// P(X ≤ <paramref name="observed"/>) for X ~ Poisson(<paramref name="expected"/>).
    /// </summary>
    /// <remarks>
    /// Used for "fixed in version V": a problem seen at rate r per run before V and absent from V's n runs
    /// has p = P(X ≤ 0 | λ = r·n) = e^(−r·n). An expected count of 0 gives 1 (nothing was expected, so
    /// observing little is no evidence); a negative observed count gives 0.
    /// </remarks>
    /// <param name="observed">The observed count.</param>
    /// <param name="expected">The Poisson mean λ; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expected"/> is negative, NaN or infinite.</exception>
    public static double PoissonProbabilityOfAtMost(int observed, double expected)
    {
        if (!double.IsFinite(expected) || expected < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expected), expected, "The expected count must be finite and non-negative.");
        }

        if (observed < 0)
        {
            return 0.0;
        }

        if (expected == 0)
        {
            return 1.0;
        }

        // The CDF goes through 1 − P(k + 1, λ), which loses relative precision deep in the lower tail;
        // the single-term case (the common "absent in V" question) is the PMF itself, e^(−λ), exactly.
        var p = observed == 0 ? Poisson.PMF(expected, 0) : Poisson.CDF(expected, observed);
        return Math.Clamp(p, 0.0, 1.0);
    }

    /// <summary>
    /// The median of <paramref name="values"/> (in any order): the middle value for an odd count, the
    /// average of the two middle values for an even count. Equals <c>Quantile(sorted, 0.5)</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or contains a NaN or infinite value.</exception>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        RequireNonEmptyFinite(values, nameof(values));

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1
            ? sorted[mid]
            : (sorted[mid - 1] / 2) + (sorted[mid] / 2);
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile of an ascending sample by linear interpolation between closest
    /// ranks: with h = (n − 1)·q, the result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]) (0-based). This is
    /// numpy's default (<c>method="linear"</c>), R's type 7 and DuckDB's <c>quantile_cont</c>.
    /// </summary>
    /// <param name="sortedValues">The sample, sorted ascending.</param>
    /// <param name="q">The quantile, in [0, 1]: 0 gives the minimum, 1 the maximum, 0.5 the median.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="sortedValues"/> is empty, not sorted ascending, or contains a NaN or infinite value.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1] or NaN.</exception>
    public static double Quantile(IReadOnlyList<double> sortedValues, double q)
    {
        ArgumentNullException.ThrowIfNull(sortedValues);
        RequireNonEmptyFinite(sortedValues, nameof(sortedValues));
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must be in [0, 1].");
        }

        for (var i = 1; i < sortedValues.Count; i++)
        {
            if (sortedValues[i] < sortedValues[i - 1])
            {
                throw new ArgumentException("The values must be sorted ascending.", nameof(sortedValues));
            }
        }

        var h = (sortedValues.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        if (lo >= sortedValues.Count - 1)
        {
            return sortedValues[^1];
        }

        var frac = h - lo;
        var a = sortedValues[lo];
        return frac == 0 ? a : a + (frac * (sortedValues[lo + 1] - a));
    }

    /// <summary>
    /// U for <paramref name="after"/> from mid-ranks of the pooled sample, and the tie term Σ(t³ − t) over
    /// groups of t equal values (0 when there are no ties).
    /// </summary>
    private static (double U, double TieSum) UStatistic(IReadOnlyList<double> before, IReadOnlyList<double> after)
    {
        var n = before.Count + after.Count;
        var pooled = new (double Value, bool IsAfter)[n];
        for (var i = 0; i < before.Count; i++)
        {
            pooled[i] = (before[i], false);
        }

        for (var i = 0; i < after.Count; i++)
        {
            pooled[before.Count + i] = (after[i], true);
        }

        Array.Sort(pooled, static (x, y) => x.Value.CompareTo(y.Value));

        double rankSumAfter = 0;
        double tieSum = 0;
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && pooled[end].Value == pooled[start].Value)
            {
                end++;
            }

            // 1-based ranks start+1 .. end share their average.
            var t = end - start;
            var midRank = (start + 1 + end) / 2.0;
            for (var k = start; k < end; k++)
            {
                if (pooled[k].IsAfter)
                {
                    rankSumAfter += midRank;
                }
            }

            if (t > 1)
            {
                tieSum += ((double)t * t * t) - t;
            }

            start = end;
        }

        var n2 = (double)after.Count;
        return (rankSumAfter - (n2 * (n2 + 1) / 2), tieSum);
    }

    /// <summary>
    /// P(U ≥ <paramref name="u"/>) under the null with no ties, counted exactly. With f(i, j, u) the number
    /// of arrangements of i "before" and j "after" values giving statistic u, the largest value is either an
    /// "after" one (beating all i "before" values) or a "before" one (beating none):
    /// f(i, j, u) = f(i, j − 1, u − i) + f(i − 1, j, u), with f(i, 0, u) = f(0, j, u) = [u = 0].
    /// </summary>
    internal static double ExactUpperTail(int nBefore, int nAfter, double u)
    {
        var maxU = nBefore * nAfter;
        // counts[i][v] = f(i, j, v) for the current j; counts reach C(100, 50) ≈ 1e29, so doubles (sums only,
        // every term positive) rather than an integer type.
        var counts = new double[nBefore + 1][];
        for (var i = 0; i <= nBefore; i++)
        {
            counts[i] = new double[maxU + 1];
            counts[i][0] = 1;
        }

        for (var j = 1; j <= nAfter; j++)
        {
            for (var i = 1; i <= nBefore; i++)
            {
                var row = counts[i];
                var below = counts[i - 1]; // already f(i − 1, j, ·)
                // In place, descending v, so row[v − i] still holds f(i, j − 1, ·).
                for (var v = i * j; v >= 0; v--)
                {
                    row[v] = (v >= i ? row[v - i] : 0) + below[v];
                }
            }
        }

        var from = (int)Math.Ceiling(u - 1e-9); // U is an integer here; guard against representation noise
        if (from <= 0)
        {
            return 1.0;
        }

        if (from > maxU)
        {
            return 0.0;
        }

        // Sum from the small far tail inwards; the total is C(n1 + n2, n1).
        var dist = counts[nBefore];
        double total = 0;
        double tail = 0;
        for (var v = maxU; v >= 0; v--)
        {
            total += dist[v];
            if (v == from)
            {
                tail = total;
            }
        }

        return Math.Min(1.0, tail / total);
    }

    /// <summary>
    /// P(U ≥ <paramref name="u"/>) by the normal approximation: mean n1·n2/2, variance
    /// n1·n2/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))) with N = n1 + n2, and a continuity correction of 0.5:
    /// p = 1 − Φ((U − mean − 0.5) / σ).
    /// </summary>
    internal static double NormalUpperTail(int nBefore, int nAfter, double u, double tieSum)
    {
        double n1 = nBefore;
        double n2 = nAfter;
        var n = n1 + n2;
        var mean = n1 * n2 / 2;
        var variance = n1 * n2 / 12 * (n + 1 - (tieSum / (n * (n - 1))));
        if (!(variance > 0))
        {
            return 1.0; // every value equal: no evidence either way
        }

        var z = (u - mean - 0.5) / Math.Sqrt(variance);
        return Normal.CDF(0.0, 1.0, -z);
    }

    private static void RequireNonEmptyFinite(IReadOnlyList<double> values, string paramName)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("The sample must not be empty.", paramName);
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"The sample contains a non-finite value at index {i}.", paramName);
            }
        }
    }
}
