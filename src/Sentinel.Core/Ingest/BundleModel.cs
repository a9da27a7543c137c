using System.Runtime.CompilerServices;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>
/// One event reduced to the safe schema, as the reducer hands it over. Transient: the parser
/// refills one instance for every event, and <see cref="BundleEvents"/> keeps the compact form.
/// </summary>
internal sealed class ParsedEvent
{
    public DateTime Timestamp;
    public string Level = "";
    public string? Source;
    public string? Code;
    public string? Category;
    public string? ExceptionType;
    public string? RunId;
    public string TraceHash = "";
    public Sha256Digest IdentityDigest;  // SHA-256 of the timestamp/level/code/message bytes, for event_id
    public string?[]? IdentityNames;     // extra[name_keys[i]]
    public string?[]? IdentityVersions;  // extra[version_keys[i]]

    /// <summary>The library a safe-schema telemetry record names; null for bundle events (derived from <see cref="Source"/>).</summary>
    public string? Namespace;

    public void Reset()
    {
        Timestamp = default;
        Level = "";
        Source = Code = Category = ExceptionType = RunId = Namespace = null;
        TraceHash = "";
        IdentityDigest = default;
        IdentityNames = IdentityVersions = null;
    }
}

/// <summary>32 bytes held inline (no array object per event).</summary>
[InlineArray(32)]
internal struct Sha256Digest
{
    private byte _first;
}

/// <summary>
/// What the events of a bundle share: every reduced field but the timestamp and the identity
/// digest. A bundle has a few of these (codes × sources × fingerprints), each stored once.
/// </summary>
internal sealed class EventKind
{
    public required string Level { get; init; }
    public required string? Code { get; set; }
    public required string? Category { get; init; }
    public required string? ExceptionType { get; init; }
    public required string? Source { get; set; }
    public required string TraceHash { get; set; }
    public required string? RunId { get; init; }
    public required string? SourceNamespace { get; set; }

    /// <summary>Events of this kind in the bundle.</summary>
    public long Count;

    /// <summary>Filled by attribution.</summary>
    public string Library = Storage.LakeSchema.Unknown;
    public string Version = Storage.LakeSchema.Unknown;

    /// <summary>Set when the kind's library is not registered (its events are dropped and counted).</summary>
    public bool Dropped;

    /// <summary>The source as stored: only inside the attributed library's namespace.</summary>
    public string? KeptSource => SourceNamespace is null ? null : Source;
}

/// <summary>One event in compact form: 48 bytes, no references, so the GC never scans it.</summary>
internal struct StoredEvent
{
    public Sha256Digest IdentityDigest;
    public long TimestampTicks;
    public int Kind;
}

/// <summary>
/// The good events of one bundle, in file order, in about 48 bytes each: the shared fields go to
/// <see cref="Kinds"/>, the rest to small fixed-size chunks (no large-object-heap array that
/// doubles as it grows). Attribution needs the whole bundle before any row can be written.
/// </summary>
internal sealed class BundleEvents
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<StoredEvent[]> _chunks = [];
    private readonly Dictionary<KindKey, int> _index = [];
    private readonly List<EventKind> _kinds = [];

    public int Count { get; private set; }

    /// <summary>The distinct kinds in order of first appearance.</summary>
    public IReadOnlyList<EventKind> Kinds => _kinds;

    /// <summary>Stores the event; returns its kind.</summary>
    public EventKind Add(ParsedEvent ev)
    {
        var key = new KindKey(ev.Level, ev.Code, ev.Category, ev.ExceptionType, ev.Source, ev.TraceHash, ev.RunId, ev.Namespace);
        if (!_index.TryGetValue(key, out var kindIndex))
        {
            kindIndex = _kinds.Count;
            _index[key] = kindIndex;
            _kinds.Add(new EventKind
            {
                Level = ev.Level, Code = ev.Code, Category = ev.Category, ExceptionType = ev.ExceptionType, Source = ev.Source,
                TraceHash = ev.TraceHash, RunId = ev.RunId, SourceNamespace = ev.Namespace ?? Attribution.Namespace(ev.Source),
            });
        }

        var kind = _kinds[kindIndex];
        kind.Count++;
        if ((Count & (ChunkSize - 1)) == 0)
        {
            _chunks.Add(new StoredEvent[ChunkSize]);
        }

        ref var slot = ref _chunks[Count >> ChunkBits][Count & (ChunkSize - 1)];
        slot.IdentityDigest = ev.IdentityDigest;
        slot.TimestampTicks = ev.Timestamp.Ticks;
        slot.Kind = kindIndex;
        Count++;
        return kind;
    }

    public ref readonly StoredEvent this[int i] => ref _chunks[i >> ChunkBits][i & (ChunkSize - 1)];

    /// <summary>Drops the events and their kinds.</summary>
    public void Release()
    {
        _chunks.Clear();
        _chunks.TrimExcess();
        _index.Clear();
        _index.TrimExcess();
        _kinds.Clear();
        _kinds.TrimExcess();
        Count = 0;
    }

    private readonly record struct KindKey(string Level, string? Code, string? Category, string? ExceptionType, string? Source, string TraceHash, string? RunId, string? Namespace);
}

internal sealed record TimingEntry(string Function, long? Count, double? P50Ms, double? P95Ms, double? MaxMs);

internal sealed record CatalogEntry(string Code, string? Title, string? Hint, string? Category);


/// <summary>Counts of what was dropped, scrubbed or rejected in one bundle. Never values.</summary>
internal sealed class RedactionLedger
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
    public BundleEvents Events { get; } = new();
    public AttributionTally Identity { get; } = new();
    public List<TimingEntry> Timings { get; } = [];

    /// <summary>
    /// Libraries the upload itself declares: the first components of its <c>signals</c> catalog (every library that
    /// configured smonitor in the run), or the <c>library</c> field of telemetry records. Evidence for attribution.
    /// </summary>
    public HashSet<string> DeclaredNamespaces { get; } = new(StringComparer.Ordinal);

    public const int MaxDeclaredNamespaces = 256;
    public List<CatalogEntry> Catalog { get; } = [];
    public List<Problem> BadEvents { get; } = [];
    /// <summary>library → version resolved for the bundle's own run (filled by attribution).</summary>
    public Dictionary<string, string> ResolvedVersions { get; } = new(StringComparer.Ordinal);

    /// <summary>The namespaces <see cref="Attribution.Attribute"/> took for libraries (timings outside them are dropped).</summary>
    public IReadOnlySet<string> LibraryNamespaces { get; set; } = new HashSet<string>();
    public RedactionLedger Ledger { get; } = new();
    public long EventsSeen;
    public byte[] BundleDigest = [];

    /// <summary>Distinct values seen per capped field (code, source, trace_hash, function) in this upload.</summary>
    public Dictionary<string, HashSet<string>> Distinct { get; } = new(StringComparer.Ordinal);

    /// <summary>The libraries of the bundle's events, distinct and sorted (kept after <see cref="ReleaseEvents"/>).</summary>
    public IReadOnlyList<string> Libraries { get; private set; } = [];

    /// <summary>
    /// Once the events are buffered, keeps only what the ledger row and the outcome need, so that a
    /// batch of bundles costs a few hundred bytes each until the commit, not its events.
    /// </summary>
    public void ReleaseEvents()
    {
        Distinct.Clear();
        Libraries = [.. Events.Kinds.Select(k => k.Library).Distinct().Order(StringComparer.Ordinal)];
        Events.Release();
        Identity.Clear();
        Timings.Clear();
        DeclaredNamespaces.Clear();
        Timings.TrimExcess();
        Catalog.Clear();
        Catalog.TrimExcess();
    }

    public void AddEvent(ParsedEvent ev)
    {
        var ordinal = Events.Count;
        var kind = Events.Add(ev);
        Identity.Add(ordinal, kind, ev.IdentityNames, ev.IdentityVersions);
    }
}
