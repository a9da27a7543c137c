using System.Globalization;

namespace Sentinel.Text;

/// <summary>
/// A p-value as people read it: four decimals, and <c>p&lt;0.0001</c> below that instead of a misleading
/// <c>p=0</c> (a p of 4e-5 is strong evidence, not certainty).
/// </summary>
internal static class PValueText
{
    public const double Floor = 0.0001;

    /// <summary><c>0.0183</c>, or <c>&lt;0.0001</c>.</summary>
    public static string Value(double p) =>
        double.IsNaN(p) ? "n/a" : p < Floor ? "<0.0001" : p.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary><c>p=0.0183</c>, or <c>p&lt;0.0001</c>.</summary>
    public static string Of(double p) => p < Floor ? "p<0.0001" : "p=" + Value(p);
}
