namespace Sentinel.Ingest;

/// <summary>One event reduced to the safe schema, before library/version attribution.</summary>
internal sealed class ParsedEvent
{
    public DateTime Timestamp;
    public string Level = "";
    public string? Source;
    public string? SourceNamespace;
    public string? Code;
    public string? Category;
    public string? ExceptionType;
    public string? RunId;
    public string TraceHash = "";
    public byte[] IdentityDigest = [];  // SHA-256 of the timestamp/level/code/message bytes, for event_id
    public string?[]? IdentityNames;     // extra[name_keys[i]]
    public string?[]? IdentityVersions;  // extra[version_keys[i]]
    public string Library = Lake.LakeSchema.Unknown;
    public string Version = Lake.LakeSchema.Unknown;
}

internal sealed record TimingEntry(string Function, long? Count, double? P50Ms, double? P95Ms, double? MaxMs);

internal sealed record CatalogEntry(string Code, string? Title, string? Hint, string? Category);

/// <summary>Where in an input something was wrong, and what.</summary>
public sealed record Problem(string Where, string? Field, string Message);

/// <summary>Counts of what was dropped, scrubbed or rejected in one bundle. Never values.</summary>
public sealed class RedactionLedger
{
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public void Add(string reason, long n = 1)
    {
        _counts.TryGetValue(reason, out var c);
        _counts[reason] = c + n;
    }

    public void AddAll(RedactionLedger other)
    {
        foreach (var (k, v) in other._counts)
        {
            Add(k, v);
        }
    }
}

/// <summary>Everything read from one upload, already reduced to the safe schema.</summary>
internal sealed class BundleReading
{
    public required string Input { get; init; }
    public required string Shape { get; init; }
    public string? SmonitorVersion;
    public string? PythonVersion;
    public string? Platform;
    public string? RunId;
    public string? Profile;
    public DateTime? GeneratedAt;
    public bool SawBundleObject;
    public bool SawEventsFile;
    public List<ParsedEvent> Events { get; } = [];
    public List<TimingEntry> Timings { get; } = [];
    public List<CatalogEntry> Catalog { get; } = [];
    public List<Problem> BadEvents { get; } = [];
    /// <summary>library → version resolved for the bundle's own run (filled by attribution).</summary>
    public Dictionary<string, string> ResolvedVersions { get; } = new(StringComparer.Ordinal);
    public RedactionLedger Ledger { get; } = new();
    public long EventsSeen;
    public byte[] BundleDigest = [];
}
