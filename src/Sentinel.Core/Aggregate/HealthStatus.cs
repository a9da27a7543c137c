using System.Globalization;
using System.Text.Json.Serialization;
using Sentinel.Config;

namespace Sentinel.Aggregate;

/// <summary>The health figures of one library version that decide its status.</summary>
public sealed record VersionHealth(string Library, string Version, long Runs, long ErrorFreeRuns);

/// <summary>A version's status and the reasons behind it, in words.</summary>
public sealed record VersionStatus(string Library, string Version, HealthState Status, string Reason);

/// <summary>A version's health (<see cref="HealthStatus"/> says how it is decided); its JSON name is in every summary and page.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthState>))]
public enum HealthState
{
    [JsonStringEnumMemberName("healthy")]
    Healthy,

    [JsonStringEnumMemberName("degraded")]
    Degraded,

    [JsonStringEnumMemberName("failing")]
    Failing,

    /// <summary>Fewer runs than <c>health.min_runs_for_status</c>: no verdict.</summary>
    [JsonStringEnumMemberName("insufficient data")]
    InsufficientData,

    /// <summary>The runs that did not report the library's version: they get no status and are never "latest" nor compared.</summary>
    [JsonStringEnumMemberName("version not reported")]
    VersionNotReported,
}

/// <summary>
/// Status per library and version (docs/aggregate.md):
/// <c>insufficient data</c> below <c>health.min_runs_for_status</c> runs; else <c>failing</c> when the
/// error-free run rate is below <c>failing_below_error_free</c>; else <c>degraded</c> when it is below
/// <c>degraded_below_error_free</c>, or a confirmed new ERROR/CRITICAL problem or a confirmed
/// performance regression appeared in the version; else <c>healthy</c>.
/// </summary>
public static class HealthStatus
{
    public static VersionStatus Evaluate(VersionHealth v, IEnumerable<Regression> regressions, HealthConfig config)
    {
        ArgumentNullException.ThrowIfNull(v);
        var rate = v.Runs == 0 ? 0 : (double)v.ErrorFreeRuns / v.Runs;
        var rateText = string.Create(CultureInfo.InvariantCulture, $"error-free runs {v.ErrorFreeRuns}/{v.Runs} ({rate:0.0%})");
        if (v.Version == Pep440Comparer.Unknown)
        {
            // These runs may be of any version: a status would blame (or praise) no release in particular.
            return new(v.Library, v.Version, HealthState.VersionNotReported,
                $"{v.Runs} run(s) that did not report their {v.Library} version (docs/library-authors.md); {rateText}");
        }

        if (v.Runs < config.MinRunsForStatus)
        {
            return new(v.Library, v.Version, HealthState.InsufficientData,
                string.Create(CultureInfo.InvariantCulture, $"{v.Runs} run(s), fewer than {config.MinRunsForStatus}; {rateText}"));
        }

        if (rate < config.FailingBelowErrorFree)
        {
            return new(v.Library, v.Version, HealthState.Failing,
                string.Create(CultureInfo.InvariantCulture, $"{rateText} below {config.FailingBelowErrorFree:0.##%}"));
        }

        var reasons = new List<string>();
        if (rate < config.DegradedBelowErrorFree)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{rateText} below {config.DegradedBelowErrorFree:0.##%}"));
        }

        var mine = regressions
            .Where(r => r.Status == RegressionStatus.Confirmed && r.Library == v.Library && r.Version == v.Version)
            .ToList();
        reasons.AddRange(mine
            .Where(r => r.Kind == RegressionKind.NewInVersion && r.Level is "ERROR" or "CRITICAL")
            .Select(r => $"new {r.Level} {(string.IsNullOrEmpty(r.Code) ? r.TraceHash : r.Code)}")
            .Order(StringComparer.Ordinal));
        reasons.AddRange(mine
            .Where(r => r.Kind == RegressionKind.Performance)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Function} p95 ×{r.Ratio:0.##}"))
            .Order(StringComparer.Ordinal));

        return reasons.Count == 0
            ? new(v.Library, v.Version, HealthState.Healthy, rateText)
            : new(v.Library, v.Version, HealthState.Degraded, string.Join("; ", reasons));
    }
}
