namespace Sentinel.Aggregate;

/// <summary>
/// The Wilson score interval of a proportion (successes of n), 95% by default: honest for small n and for rates
/// near 0 or 1, where the normal approximation gives intervals outside [0, 1] or of zero width.
/// </summary>
public static class Wilson
{
    public static (double Low, double High) Interval(long successes, long n, double z = 1.959963984540054)
    {
        if (n <= 0)
        {
            return (0, 1);
        }

        var p = (double)successes / n;
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2 * n))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))) / denominator;
        // At 0 or n successes the bound is exactly 0 or 1 (the formula reaches it up to rounding).
        return (successes == 0 ? 0 : Math.Max(0, centre - half), successes == n ? 1 : Math.Min(1, centre + half));
    }
}
