namespace Sentinel.Aggregate;

/// <summary>
/// The one definition of "a library regression", used by the summaries (<c>libraries.confirmed_regressions</c>),
/// the report, the dashboard and the aggregate's own count: a problem new in a version, or a performance
/// regression, of the library's own code. A fix (<c>fixed_in_version</c>) is good news, counted apart; a code of
/// smonitor's own instrumentation (<c>SMONITOR-*</c>, e.g. <c>SMONITOR-EVENT-DUPLICATE-SUMMARY</c>) says how the
/// library is wired to smonitor, not that the library regressed.
/// </summary>
public static class RegressionScope
{
    /// <summary>
    /// How a finding's kind reads for people: "new in version", "fixed in version", "performance"; a finding on one of
    /// smonitor's own codes reads "instrumentation (new in version)", never as a library regression.
    /// </summary>
    public static string KindLabel(RegressionKind kind, string? code) =>
        IsInstrumentation(code) ? $"instrumentation ({Sentinel.Text.EnumNames.Name(kind).Replace('_', ' ')})" : Sentinel.Text.EnumNames.Name(kind).Replace('_', ' ');

    /// <summary>"new in 1.1.0" or "new in 1.1.0 (suspected)": a suspected finding says so in words, never with a "?".</summary>
    public static string Badge(string what, string version, string? status) =>
        status == "confirmed" ? $"{what} {version}" : $"{what} {version} ({status ?? "suspected"})";

    /// <summary>The prefix of smonitor's own codes (SQL: <c>final_libraries.sql</c> uses the same literal).</summary>
    public const string InstrumentationPrefix = "SMONITOR-";

    public static bool IsInstrumentation(string? code) => code is not null && code.StartsWith(InstrumentationPrefix, StringComparison.Ordinal);

    public static bool IsLibraryRegression(RegressionKind kind, string? code) => kind is RegressionKind.NewInVersion or RegressionKind.Performance && !IsInstrumentation(code);

    public static bool IsLibraryRegression(RegressionSummary r) => IsLibraryRegression(r.Kind, r.Code);

    public static bool IsLibraryRegression(Regression r) => IsLibraryRegression(r.Kind, r.Code);
}
