namespace Sentinel.Config;

// The sentinel.yml contract (DESIGN §12). These are mutable DTOs only because the YAML
// deserializer fills them; nothing mutates them after ConfigLoader returns.
#pragma warning disable CA1002, CA2227 // YAML DTOs: settable List properties are the point.

public sealed class SentinelConfig
{
    public PrivacyConfig Privacy { get; set; } = new();
    public IngestConfig Ingest { get; set; } = new();
    public HealthConfig Health { get; set; } = new();
    public RegressionConfig Regressions { get; set; } = new();
    public TriageConfig Triage { get; set; } = new();
    public GitHubConfig Github { get; set; } = new();
    public Dictionary<string, LibraryConfig> Libraries { get; set; } = new(StringComparer.Ordinal);
}

public sealed class PrivacyConfig
{
    public int MinRunsPublic { get; set; } = 5;
}

public sealed class IngestConfig
{
    public List<string> VersionKeys { get; set; } = ["version", "project_version", "package_version"];
    public List<string> NameKeys { get; set; } = ["library", "project_name", "package"];
    public LimitsConfig Limits { get; set; } = new();

    /// <summary>
    /// Threads that reduce (parse, validate, scrub, hash) the events of a large <c>events.jsonl</c> or <c>events</c> array while the reading
    /// thread splits it: 0 (the default) is one per core, at most 4 in all; 1 reduces on the reading thread alone. The lake
    /// written is the same whatever the number (docs/benchmarks.md).
    /// </summary>
    public int Threads { get; set; }
}

public sealed class LimitsConfig
{
    public int MaxUploadMb { get; set; } = 50;
    public int MaxUncompressedMb { get; set; } = 500;
    public int MaxEntries { get; set; } = 16;
    public int MaxDepth { get; set; } = 64;
    /// <summary>Largest accepted compression ratio of an archive member (uncompressed / compressed).</summary>
    public int MaxCompressionRatio { get; set; } = 200;
    /// <summary>Largest single event (one JSON object / one JSONL line), in KiB.</summary>
    public int MaxEventKb { get; set; } = 1024;
    /// <summary>Largest single JSON token (e.g. a string) anywhere in a bundle, in MiB.</summary>
    public int MaxTokenMb { get; set; } = 16;
    public int MaxEventsPerBundle { get; set; } = 2_000_000;
    /// <summary>A rejected input's file larger than this (MiB) is not copied into quarantine/: only its size and hash are noted.</summary>
    public int MaxQuarantineCopyMb { get; set; } = 16;
    /// <summary>
    /// Distinct codes, sources, trace hashes and timing functions one upload may bring, each; past it the new
    /// values fold into an <c>other</c> bucket (counted as <c>folded.&lt;field&gt;</c>), so a cardinality bomb cannot grow memory and summaries.
    /// </summary>
    public int MaxDistinctPerUpload { get; set; } = 2000;
    /// <summary>
    /// Distinct codes, sources, trace hashes and timing functions one library may gain per day (the UTC day the
    /// uploads are received), each, over all uploads; past it new values fold into <c>other</c> as above. Values
    /// admitted earlier that day always pass. Kept in <c>state/distinct/&lt;day&gt;.json</c>.
    /// </summary>
    public int MaxDistinctPerLibraryDay { get; set; } = 2000;
}

public sealed class HealthConfig
{
    public double DegradedBelowErrorFree { get; set; } = 0.99;
    public double FailingBelowErrorFree { get; set; } = 0.90;
    public int MinRunsForStatus { get; set; } = 3;
}

public sealed class RegressionConfig
{
    public double P95Ratio { get; set; } = 1.5;
    public double Alpha { get; set; } = 0.05;
    public int MinRunsPerSide { get; set; } = 3;
    /// <summary>A run's p95 of a function counts only when it rests on at least this many calls.</summary>
    public int MinCallsPerRun { get; set; } = 5;
}

public sealed class TriageConfig
{
    public string Provider { get; set; } = "none";
    public string Endpoint { get; set; } = "http://localhost:11434/v1";
    public string Model { get; set; } = "llama3.1";
    public string ApiKeyEnv { get; set; } = "SENTINEL_LLM_KEY";
    public int MaxCallsPerRun { get; set; } = 20;
    /// <summary>Budget of tokens (prompt + completion, as the endpoint reports them) per triage run.</summary>
    public int MaxTokensPerRun { get; set; } = 40_000;
    /// <summary>Cap on one answer's length, sent as the request's max output tokens.</summary>
    public int MaxOutputTokens { get; set; } = 600;
    public int TimeoutSeconds { get; set; } = 60;
}

public sealed class GitHubConfig
{
    public string ApiUrl { get; set; } = "https://api.github.com";
    public string Auth { get; set; } = "token";
    public string TokenEnv { get; set; } = "SENTINEL_GITHUB_TOKEN";
    public string AppIdEnv { get; set; } = "SENTINEL_GITHUB_APP_ID";
    /// <summary>The App's private key (PEM) itself; or see <see cref="AppKeyFileEnv"/>.</summary>
    public string AppKeyEnv { get; set; } = "SENTINEL_GITHUB_APP_KEY";
    /// <summary>An environment variable naming a file that holds the App's private key (PEM).</summary>
    public string AppKeyFileEnv { get; set; } = "SENTINEL_GITHUB_APP_KEY_FILE";
    /// <summary>Writes (create, comment, reopen) per <c>sentinel issues</c> run, over all repositories.</summary>
    public int MaxWritesPerRun { get; set; } = 10;
    /// <summary>Minimum spacing between two writes (GitHub asks integrations to pace content creation).</summary>
    public double MinSecondsBetweenWrites { get; set; } = 2;
    /// <summary>An open issue gets at most one update comment per this many days.</summary>
    public int UpdatePeriodDays { get; set; } = 7;
    /// <summary>Reopen a closed issue (with a regression comment) when its problem recurs in a newer version.</summary>
    public bool ReopenOnRegression { get; set; } = true;
    public int RequestTimeoutSeconds { get; set; } = 30;
    /// <summary>Cap on the total time one run waits for rate limits (Retry-After, X-RateLimit-Reset, backoff).</summary>
    public int MaxRateLimitWaitSeconds { get; set; } = 600;
}

/// <summary>
/// A library this instance serves (docs/privacy.md, "Registered libraries"). Once any library is registered,
/// ingest keeps only the events, timings and catalog entries of registered ones; the public site needs one.
/// </summary>
public sealed class LibraryConfig
{
    /// <summary>The top-level import names whose events belong to this library (default: the key, <c>-</c>/<c>.</c> → <c>_</c>).</summary>
    public List<string> Namespaces { get; set; } = [];
    /// <summary>The maintainers' own catalog of codes (a smonitor catalog JSON file): its titles are the public ones.</summary>
    public string? Catalog { get; set; }
    /// <summary>The library's documentation (https), linked from its page.</summary>
    public string? Docs { get; set; }
    public string? Repo { get; set; }
    public bool AutoIssues { get; set; }
    public List<string> Labels { get; set; } = [];
    public int MaxNewIssuesPerDay { get; set; } = 3;
}
