namespace Sentinel.Dashboard;

/// <summary>
/// Complementary suppression for the public view: when a total is published beside some of its parts, the parts left
/// out must not add up to between 1 and k − 1 runs, or the total minus the parts shown would publish them anyway
/// (docs/dashboard.md, "Audiences and the privacy threshold").
/// </summary>
internal static class Complement
{
    /// <summary>
    /// The indexes of <paramref name="shown"/> parts (each already ≥ k) to hide as well, smallest first, until the total
    /// minus the parts still shown is 0 (or less: distinct runs across parts may overlap) or at least <paramref name="k"/>.
    /// </summary>
    public static HashSet<int> Suppress(IReadOnlyList<long> shown, long total, int k)
    {
        var hidden = new HashSet<int>();
        var rest = total - shown.Sum();
        foreach (var (runs, i) in shown.Select((r, i) => (r, i)).OrderBy(p => p.r).ThenBy(p => p.i))
        {
            if (k <= 0 || rest <= 0 || rest >= k)
            {
                break;
            }

            hidden.Add(i);
            rest += runs;
        }

        return hidden;
    }
}
