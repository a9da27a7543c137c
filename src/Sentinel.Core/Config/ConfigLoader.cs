using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sentinel.Config;

/// <summary>Reads <c>sentinel.yml</c>. Every setting has a default; an unknown key is an error naming it.</summary>
public static class ConfigLoader
{
    public const string DefaultFileName = "sentinel.yml";

    /// <summary>
    /// Loads <paramref name="path"/>. When <paramref name="explicitlyGiven"/> is false a missing
    /// file means "all defaults"; when the user named the file, a missing file is an error.
    /// </summary>
    public static SentinelConfig Load(string? path, bool explicitlyGiven)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            if (explicitlyGiven)
            {
                throw new ConfigException($"{path}: config file not found");
            }

            return new SentinelConfig();
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static SentinelConfig Parse(string yaml, string displayName)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        try
        {
            var config = deserializer.Deserialize<SentinelConfig?>(yaml) ?? new SentinelConfig();
            Validate(config, displayName);
            return config;
        }
        catch (YamlException e)
        {
            var inner = e.InnerException?.Message ?? e.Message;
            // YamlDotNet words an unknown key as "Property 'x' not found on type '...'", and a value of the
            // wrong shape with the assembly-qualified name of our type: the user gets neither.
            var message = inner.Contains("not found on type", StringComparison.Ordinal)
                ? $"unknown key {ExtractQuoted(inner)}"
                : inner.Contains("No node deserializer", StringComparison.Ordinal) || inner.Contains("Sentinel.", StringComparison.Ordinal)
                  || e.InnerException is InvalidCastException
                    ? "a value of the wrong kind here (a list or text where a section of keys is expected, or the reverse)"
                    : e.InnerException is FormatException or OverflowException
                        ? $"not a valid value for this key ({OneLine(inner)})"
                        : OneLine(inner);
            throw new ConfigException($"{displayName}:{e.Start.Line}:{e.Start.Column}: {message}", e);
        }
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();

    private static string ExtractQuoted(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return start >= 0 && end > start ? $"'{message[(start + 1)..end]}'" : message;
    }

    private static void Validate(SentinelConfig c, string file)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new ConfigException($"{file}: {what}");
            }
        }

        Require(c.Privacy.MinRunsPublic >= 1, "privacy.min_runs_public must be at least 1");
        Require(c.Ingest.VersionKeys.Count > 0, "ingest.version_keys must not be empty");
        Require(c.Ingest.NameKeys.Count > 0, "ingest.name_keys must not be empty");
        Require(c.Ingest.Threads is >= 0 and <= 64, "ingest.threads must be between 0 (one per core) and 64");
        var l = c.Ingest.Limits;
        Require(l.MaxUploadMb > 0 && l.MaxUncompressedMb > 0 && l.MaxEntries > 0, "ingest.limits must be positive");
        Require(l.MaxDepth is >= 8 and <= 256, "ingest.limits.max_depth must be between 8 and 256");
        Require(l.MaxEventKb > 0 && l.MaxTokenMb > 0 && l.MaxCompressionRatio > 1 && l.MaxQuarantineCopyMb >= 0 && l.MaxDistinctPerUpload > 0 && l.MaxDistinctPerLibraryDay > 0, "ingest.limits must be positive");
        Require(c.Health.FailingBelowErrorFree <= c.Health.DegradedBelowErrorFree,
            "health.failing_below_error_free must not exceed health.degraded_below_error_free");
        Require(c.Regressions.P95Ratio > 1 && c.Regressions.Alpha is > 0 and < 1 && c.Regressions.MinRunsPerSide >= 2
                && c.Regressions.MinCallsPerRun >= 1,
            "regressions: p95_ratio > 1, 0 < alpha < 1, min_runs_per_side >= 2, min_calls_per_run >= 1");
        Require(c.Health.MinRunsForStatus >= 1, "health.min_runs_for_status must be at least 1");
        Require(c.Triage.Provider is "none" or "openai", "triage.provider must be 'none' or 'openai'");
        Require(c.Triage.MaxCallsPerRun >= 0 && c.Triage.MaxTokensPerRun >= 0 && c.Triage.MaxOutputTokens > 0 && c.Triage.TimeoutSeconds > 0,
            "triage: max_calls_per_run and max_tokens_per_run >= 0, max_output_tokens and timeout_seconds > 0");
        Require(c.Github.Auth is "token" or "app", "github.auth must be 'token' or 'app'");
        var g = c.Github;
        Require(Uri.TryCreate(g.ApiUrl, UriKind.Absolute, out var api) && api.Scheme is "https" or "http",
            "github.api_url must be an absolute http(s) URL (GitHub Enterprise Server: https://HOST/api/v3)");
        Require(g.MaxWritesPerRun >= 0 && g.MinSecondsBetweenWrites >= 0 && g.UpdatePeriodDays >= 1 && g.RequestTimeoutSeconds >= 1
                && g.MaxRateLimitWaitSeconds >= 0,
            "github: max_writes_per_run, min_seconds_between_writes and max_rate_limit_wait_seconds >= 0, update_period_days and request_timeout_seconds >= 1");
        foreach (var (name, lib) in c.Libraries)
        {
            Require(LibraryRegistry.IsDistributionName(name),
                $"libraries.{name}: a library key is a lowercase distribution name (letters, digits, '-', '_', '.'; e.g. molsysmt, scikit-learn)");
            Require(lib.Namespaces.All(LibraryRegistry.IsNamespace),
                $"libraries.{name}.namespaces: each is a top-level Python import name (lowercase letters, digits, '_')");
            Require(lib.Docs is null || (Uri.TryCreate(lib.Docs, UriKind.Absolute, out var docs) && docs.Scheme == "https"),
                $"libraries.{name}.docs must be an https URL");
            Require(lib.MaxNewIssuesPerDay >= 0, $"libraries.{name}.max_new_issues_per_day must be >= 0");
            Require(lib.Repo is null || System.Text.RegularExpressions.Regex.IsMatch(lib.Repo, "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$"),
                $"libraries.{name}.repo must be OWNER/NAME");
            Require(!lib.AutoIssues || lib.Repo is not null, $"libraries.{name}: auto_issues needs a repo");
        }
    }
}

public sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message) { }
    public ConfigException(string message, Exception inner) : base(message, inner) { }
    public ConfigException() { }
}
