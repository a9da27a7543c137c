using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Triage;

namespace Sentinel.Issues;

/// <summary>
/// The issue title and Markdown body for an approved proposal (docs/issues.md): a human summary, a
/// technical details table, the approved verdict, and a fenced <c>json</c> payload for agents. Every
/// piece of data (catalog titles, LLM text, notes, names) is untrusted: it goes through
/// <see cref="Inert"/> (no mentions, no links or images, no HTML, cannot leave its table cell) or, in the
/// payload, through a JSON encoder that escapes <c>&lt; &gt; &amp; ` '</c>, so it cannot close the fence
/// or the <c>&lt;details&gt;</c>.
/// </summary>
public static class IssueBody
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions PayloadJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Default, // escapes < > & ' ` + and non-ASCII: nothing can close the fence or the <details>
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// The dedup key: the problem's key (library × code; uncoded: exception type × source function) for problems,
    /// function + version for performance (and the library). The trace hashes stay in the payload as variants.
    /// </summary>
    public static string Key(Proposal p) => p.Signal.Kind == "performance"
        ? MarkerSafe($"{p.Library}:performance:{p.Signal.Function}:{p.Signal.PerfToVersion}")
        : p.Signal.ProblemKey is { } key ? MarkerSafe($"{p.Library}:problem:{key}")
        : MarkerSafe($"{p.Library}:problem:{p.Signal.Code}:{p.Signal.TraceHash}");

    /// <summary>
    /// The keys issues of this problem were filed under before problems were keyed by code (one per trace hash):
    /// an issue found under one of them is this problem's issue, never filed twice.
    /// </summary>
    public static IReadOnlyList<string> LegacyKeys(Proposal p) => p.Signal.Kind == "performance" || p.Signal.ProblemKey is null
        ? []
        : [.. (p.Signal.Variants ?? []).Select(v => MarkerSafe($"{p.Library}:problem:{p.Signal.Code}:{v}")).Where(k => k != Key(p))];

    /// <summary>The hidden marker that identifies the issue in its body; searched for before creating.</summary>
    public static string Marker(string key) => $"<!-- sentinel:key={key} -->";

    /// <summary>What is searched for (the marker without the comment delimiters).</summary>
    public static string SearchTerm(string key) => $"sentinel:key={key}";

    public static string Title(Proposal p)
    {
        var s = p.Signal;
        var subject = s.Kind == "performance"
            ? $"{s.Function} is slower in {s.PerfToVersion}"
            : $"{s.Code ?? s.ExceptionType ?? "problem"}{(s.CatalogTitle is { Length: > 0 } t ? ": " + t : "")}";
        var title = $"[sentinel] {p.Library}: {subject}";
        return Plain(title.Length > 200 ? title[..200] + "…" : title);
    }

    public static string Render(Proposal p, string key)
    {
        var s = p.Signal;
        var v = p.Verdict;
        var approval = p.LastDecision;
        var md = new StringBuilder();
        md.Append(Marker(key)).Append('\n');
        md.Append("## Summary\n\n");
        md.Append(Inert(v.Summary)).Append("\n\n");
        // Only what is known is said: a performance finding has no events and no dates, and "?" is never published.
        var facts = new List<string>();
        if (s.Events > 0)
        {
            facts.Add(string.Create(Inv, $"{s.Events:N0} events"));
        }

        if (Range(s) is { } range)
        {
            facts.Add($"versions {Inert(range)}");
        }

        if (Date(s.LastSeen) is { } lastSeen)
        {
            facts.Add($"last seen {lastSeen}");
        }

        if (s.NewInVersion is not null && s.NewInRunsAffected is { } newRuns && s.NewInVersionRuns is > 0 and var versionRuns)
        {
            facts.Insert(0, string.Create(Inv, $"**{newRuns:N0}** of {versionRuns:N0} runs ({(double)newRuns / versionRuns:0.#%}) of {Inert(s.NewInVersion)}, where it first appeared"));
        }

        md.Append(Inv, $"{(s.Kind == "performance" ? "Measured over" : "Seen in")} **{s.RunsAffected:N0}** of {s.LibraryRuns:N0} runs ({s.ImpactShare:0.#%}) of **{Inert(p.Library)}**")
          .Append(facts.Count > 0 ? ", " + string.Join(", ", facts) : "").Append(". ")
          .Append("Reported by SMonitor Sentinel from anonymized, aggregated telemetry of users who opted in; a maintainer approved this report.\n\n");

        md.Append("## Technical details\n\n| | |\n|---|---|\n");
        void Row(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                md.Append("| ").Append(name).Append(" | ").Append(Inert(value)).Append(" |\n");
            }
        }

        Row("library", p.Library);
        Row("kind", s.Kind);
        if (s.Kind == "performance")
        {
            Row("function", s.Function);
            Row("versions compared", s.PerfFromVersion is null || s.PerfToVersion is null ? null : $"{s.PerfFromVersion} → {s.PerfToVersion}");
            Row("p95 before / after", Num(s.PerfBeforeMs) is { } before && Num(s.PerfAfterMs) is { } after ? $"{before} ms / {after} ms" : null);
            Row("ratio", s.PerfRatio is { } r ? r.ToString("0.00", Inv) + "×" : null);
            Row("p-value", s.PerfPValue is { } pv ? Sentinel.Text.PValueText.Value(pv) : null);
            Row("runs before / after", $"{s.PerfRunsBefore} / {s.PerfRunsAfter}");
            Row("status", s.PerfStatus);
        }
        else
        {
            Row("code", s.Code);
            Row("source function", s.Code is null ? s.SourceFunction : null);
            Row(s.Variants is { Count: > 1 } ? "trace hashes (variants)" : "trace hash",
                s.Variants is { Count: > 0 } variants ? string.Join(", ", variants) : s.TraceHash);
            Row("level", s.Level);
            Row("exception type", s.ExceptionType);
            Row("catalog title", s.CatalogTitle);
        }

        Row("events", s.Events.ToString("N0", Inv));
        Row("runs affected", $"{s.RunsAffected:N0} of {s.LibraryRuns:N0} ({s.ImpactShare:0.#%})");
        Row(s.NewInVersion is null ? "" : $"runs of {s.NewInVersion} affected",
            s.NewInRunsAffected is { } affectedInVersion && s.NewInVersionRuns is > 0 and var runsOfVersion
                ? $"{affectedInVersion:N0} of {runsOfVersion:N0} ({(double)affectedInVersion / runsOfVersion:0.#%})" : null);
        Row("versions", string.Join(", ", s.Versions));
        Row("latest library version", s.LatestLibraryVersion);
        Row("platforms", string.Join(", ", s.Platforms));
        Row("Python versions", string.Join(", ", s.PythonVersions));
        Row("first / last seen", Date(s.FirstSeen) is { } first && Date(s.LastSeen) is { } last ? $"{first} / {last}" : null);
        Row("trend", Trend(s));

        md.Append("\n## Approved triage verdict\n\n| | |\n|---|---|\n");
        Row("verdict", $"{v.Kind} ({v.Source})");
        Row("severity", v.Severity);
        Row("confidence", v.Confidence);
        Row("impact", v.Impact.ToString("0.#%", Inv));
        Row("probable cause", v.ProbableCause);
        Row("suggested fix", v.SuggestedFix);
        Row("approved by", approval is null ? null : $"{approval.By} on {approval.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv)}Z");

        md.Append("\n<details><summary>Machine-readable payload (for agents)</summary>\n\n```json\n")
          .Append(PayloadText(p, key))
          .Append("\n```\n\n</details>\n");
        return md.ToString();
    }

    /// <summary>An update comment with the fresh numbers (open issue) or the regression note (closed issue recurring).</summary>
    public static string Comment(Proposal p, string key, bool regression, string? previousVersion)
    {
        var s = p.Signal;
        var md = new StringBuilder();
        md.Append(Marker(key)).Append('\n');
        md.Append(regression
            ? $"**Regression:** this problem recurs in {Inert(s.LastVersion ?? "a newer version")}, newer than {Inert(previousVersion ?? "the version reported here")} (the last version reported here). Reopening.\n\n"
            : "**Update** with fresh numbers.\n\n");
        md.Append("| | |\n|---|---|\n");
        if (s.Events > 0)
        {
            md.Append(Inv, $"| events | {s.Events:N0} |\n");
        }

        md.Append(Inv, $"| runs affected | {s.RunsAffected:N0} of {s.LibraryRuns:N0} ({s.ImpactShare:0.#%}) |\n");
        md.Append("| versions | ").Append(Inert(string.Join(", ", s.Versions))).Append(" |\n");
        if (Date(s.LastSeen) is { } seen)
        {
            md.Append("| last seen | ").Append(seen).Append(" |\n");
        }

        md.Append("| trend | ").Append(Inert(Trend(s))).Append(" |\n");
        md.Append("\n<details><summary>Machine-readable payload (for agents)</summary>\n\n```json\n")
          .Append(PayloadText(p, key))
          .Append("\n```\n\n</details>\n");
        return md.ToString();
    }

    /// <summary>
    /// The payload as JSON, also free of what a careless renderer could act on outside the fence: <c>@</c>,
    /// <c>](</c>, <c>://</c> and <c>www.</c> only occur inside JSON strings, where <c>\u0040</c>, <c>:\/\/</c> and
    /// <c>www\u002E</c> decode to the same text.
    /// </summary>
    private static string PayloadText(Proposal p, string key) =>
        JsonSerializer.Serialize(Payload(p, key), PayloadJson)
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("@", "\\u0040", StringComparison.Ordinal)
            .Replace("://", ":\\/\\/", StringComparison.Ordinal)
            .Replace("](", "\\u005D(", StringComparison.Ordinal)
            .Replace("www.", "www\\u002E", StringComparison.OrdinalIgnoreCase);

    private static object Payload(Proposal p, string key)
    {
        var s = p.Signal;
        var v = p.Verdict;
        var d = p.LastDecision;
        return new
        {
            schema = "sentinel.issue/1",
            key,
            proposal_id = p.Id,
            library = p.Library,
            kind = s.Kind,
            code = s.Code,
            trace_hash = s.TraceHash,
            variants = s.Variants ?? (s.TraceHash is null ? [] : [s.TraceHash]),
            source_function = s.SourceFunction,
            function = s.Function,
            level = s.Level,
            exception_type = s.ExceptionType,
            catalog_title = s.CatalogTitle,
            events = s.Events,
            runs_affected = s.RunsAffected,
            library_runs = s.LibraryRuns,
            impact_share = Math.Round(s.ImpactShare, 4),
            versions = s.Versions,
            first_version = s.FirstVersion,
            last_version = s.LastVersion,
            new_in_version = s.NewInVersion,
            new_in_runs_affected = s.NewInRunsAffected,
            new_in_version_runs = s.NewInVersionRuns,
            fixed_in_version = s.FixedInVersion,
            platforms = s.Platforms,
            python_versions = s.PythonVersions,
            first_seen = s.FirstSeen,
            last_seen = s.LastSeen,
            trend = Trend(s),
            performance = s.Kind == "performance"
                ? new { from_version = s.PerfFromVersion, to_version = s.PerfToVersion, p95_before_ms = s.PerfBeforeMs, p95_after_ms = s.PerfAfterMs, ratio = s.PerfRatio, p_value = s.PerfPValue, runs_before = s.PerfRunsBefore, runs_after = s.PerfRunsAfter, status = s.PerfStatus }
                : null,
            verdict = new { source = v.Source, kind = v.Kind, summary = v.Summary, probable_cause = v.ProbableCause, suggested_fix = v.SuggestedFix, severity = v.Severity, impact = v.Impact, confidence = v.Confidence },
            // The approval note is the maintainers' own: never in a (public) issue.
            approved = d is null ? null : new { by = d.By, at = d.At },
        };
    }

    private static string Trend(ProblemSignal s) =>
        s.FixedInVersion is not null ? $"fixed in {s.FixedInVersion} ({s.FixedInStatus})"
        : s.NewInVersion is not null ? $"new in {s.NewInVersion} ({s.NewInStatus})"
        : s.Kind == "performance" ? $"slower in {s.PerfToVersion} ({s.PerfStatus})"
        : "ongoing";

    private static string? Range(ProblemSignal s) =>
        s.FirstVersion is null ? null : s.FirstVersion == s.LastVersion ? s.FirstVersion : $"{s.FirstVersion} – {s.LastVersion}";

    private static string? Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", Inv);

    private static string? Num(double? x) => x?.ToString("0.##", Inv);

    /// <summary>Marker keys hold only [A-Za-z0-9._:+-]; anything else is percent-encoded (it can never close the comment).</summary>
    public static string MarkerSafe(string key) =>
        string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '+' or '-' ? c.ToString() : $"%{(int)c:X2}"));

    /// <summary>Untrusted text made inert for a Markdown paragraph or table cell (<see cref="Text.MarkdownText.Inert"/>).</summary>
    public static string Inert(string text) => Text.MarkdownText.Inert(text);

    /// <summary>Untrusted text for an issue title (plain text on GitHub; <see cref="Text.MarkdownText.Plain"/>).</summary>
    public static string Plain(string text) => Text.MarkdownText.Plain(text);
}
