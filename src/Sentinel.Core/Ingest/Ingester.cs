using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>What to ingest, where, and how.</summary>
public sealed record IngestOptions(
    IReadOnlyList<string> Paths,
    Lake Lake,
    SentinelConfig Config,
    VersionHints Versions)
{
    /// <summary>Rows buffered before they are staged to Parquet (bounds memory).</summary>
    public int FlushRows { get; init; } = 250_000;

    /// <summary>Replay of a partially quarantined upload: read it again although its bundle_id is known.</summary>
    public bool ReprocessKnownBundles { get; init; }

    /// <summary>
    /// Set when ingesting an inbox written by <c>sentinel serve</c>: each upload's receipt (its file name)
    /// is kept in the ledger for <c>sentinel forget</c>, and processed files move to <c>&lt;inbox&gt;/.done/</c>.
    /// </summary>
    public string? Inbox { get; init; }

    /// <summary>The name a re-quarantined input keeps (replay reads from the quarantine's copy).</summary>
    public string? QuarantineAs { get; init; }

    /// <summary>Test seam: called before each upload is read (a throw stands for a bug met on that input).</summary>
    internal Action<string>? BeforeRead { get; init; }

    /// <summary>Test seam: called before each file is renamed into the lake.</summary>
    internal Action<string>? BeforeCommitRename { get; init; }
}

/// <summary>How one input ended.</summary>
public sealed record InputOutcome(string Input, InputStatus Status, string? Receipt, long EventsWritten, long EventsDuplicate,
    long EventsRejected, IReadOnlyList<Problem> Problems);

/// <summary>How one input ended (its JSON name in <c>ingest --format json</c> and the progress lines).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InputStatus>))]
public enum InputStatus
{
    /// <summary>Stored.</summary>
    [JsonStringEnumMemberName("accepted")]
    Accepted,

    /// <summary>The same upload was stored before: nothing new.</summary>
    [JsonStringEnumMemberName("duplicate")]
    Duplicate,

    /// <summary>Refused as a whole; a copy and the reason are in the quarantine.</summary>
    [JsonStringEnumMemberName("quarantined")]
    Quarantined,

    /// <summary>Stored, but some of its lines were rejected (quarantined with their reasons).</summary>
    [JsonStringEnumMemberName("partial")]
    Partial,

    /// <summary>Not read (not an upload, unreadable): reported, nothing stored.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>The upload's content was removed by <c>sentinel forget</c> and has a tombstone: stored nothing, not an error.</summary>
    [JsonStringEnumMemberName("forgotten")]
    Forgotten,
}

/// <summary>The ingest summary (DESIGN §12 field names).</summary>
public sealed record IngestResult(
    int Inputs, int Accepted, int Duplicates, IReadOnlyList<QuarantinedInput> Quarantined,
    long EventsWritten, long EventsDuplicate, long PerformanceRowsWritten, long CatalogRowsWritten,
    IReadOnlyDictionary<string, long> Redactions, IReadOnlyList<string> Receipts,
    IReadOnlyList<InputOutcome> Outcomes, IReadOnlyList<Problem> Skipped, double Seconds)
{
    /// <summary>Entries met while walking folders that are plainly not uploads (dotfiles, documentation): counted, exit code unaffected.</summary>
    public int Ignored { get; init; }

    /// <summary>Inbox files moved to <c>.done/</c> after the commit (inbox mode only).</summary>
    public int MovedToDone { get; init; }

    /// <summary>Inputs whose content was forgotten before (a tombstone): stored nothing.</summary>
    public int Forgotten { get; init; }

    public double EventsPerSecond => Seconds > 0 ? EventsWritten / Seconds : 0;

    public int ExitCode => Quarantined.Count > 0 || Skipped.Count > 0 ? Sentinel.ExitCode.PartialFailure : Sentinel.ExitCode.Success;
}

public sealed record QuarantinedInput(string Input, string Reason, string? QuarantineId);

/// <summary>Progress of a running ingest, one report per finished input.</summary>
public sealed record IngestProgress(int Done, int Total, string Input, InputStatus Status);

/// <summary>
/// The ingest stage: reads uploads of every shape, reduces them to the safe schema, and
/// commits them to the lake atomically and idempotently (DESIGN §2–§4).
/// </summary>
public static class Ingester
{
    public static async Task<IngestResult> RunAsync(IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var lake = options.Lake;
        var paths = lake.Paths;
        var discovery = InputDiscovery.Discover(options.Paths);
        using var lakeLock = lake.Lock();
        LakeWriter.Recover(paths);
        var secret = lake.Secret(create: true);
        var now = TruncateToMicros(lake.Clock.GetUtcNow().UtcDateTime);
        var ingestId = $"{now:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

        using var index = new LakeIndex(paths);
        using var session = new IngestSession(options, paths, index, secret, now, ingestId);
        var total = discovery.Uploads.Count;
        var done = 0;
        try
        {
            foreach (var upload in discovery.Uploads)
            {
                ct.ThrowIfCancellationRequested();
                var outcome = await session.IngestOneAsync(upload, ct);
                progress?.Report(new IngestProgress(++done, total, upload.Path, outcome.Status));
            }

            await session.CommitAsync(ct);
        }
        catch
        {
            session.Abandon();
            throw;
        }

        var result = session.Result(discovery.Skipped, watch.Elapsed.TotalSeconds) with { Ignored = discovery.Ignored };
        if (options.Inbox is null)
        {
            return result;
        }

        // Only after the commit: a crash before this leaves the files in the inbox, and the re-run
        // acknowledges them as duplicates and moves them then.
        var moved = InboxFiles.MoveToDone(options.Inbox, result.Outcomes.Select(o => o.Input));
        return result with { MovedToDone = moved };
    }

    /// <summary>What <c>sentinel inspect</c> shows: the reduced view of one upload, writing nothing.</summary>
    public static InspectReport Inspect(string path, SentinelConfig config, VersionHints versions)
    {
        var discovery = InputDiscovery.Discover([path]);
        if (discovery.Uploads.Count != 1)
        {
            var why = discovery.Skipped.FirstOrDefault()?.Message ?? $"{discovery.Uploads.Count} bundles found; inspect takes one";
            return new InspectReport(path, "rejected", [], [], new Dictionary<string, long>(), [new Problem(path, null, why)], 0, 0, 0);
        }

        var pool = new StringPool();
        var reader = new UploadReader(config, new BundleParser(config, pool, DateTime.UtcNow));
        BundleReading reading;
        try
        {
            reading = reader.Read(discovery.Uploads[0]);
        }
        catch (BundleRejectedException e)
        {
            return new InspectReport(path, "rejected", [], [], new Dictionary<string, long>(), [e.Problem], 0, 0, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new InspectReport(path, "rejected", [], [], new Dictionary<string, long>(), [new Problem(path, null, $"cannot read: {e.Message}")], 0, 0, 0);
        }
        catch (Exception e) when (IsInputBug(e))
        {
            return new InspectReport(path, "rejected", [], [], new Dictionary<string, long>(), [InternalProblem(path, e)], 0, 0, 0);
        }

        Attribution.Attribute(reading, versions, new LibraryRegistry(config));
        var groups = reading.Events.Kinds.GroupBy(k => (k.Library, k.Version))
            .Select(g => new InspectGroup(g.Key.Library, g.Key.Version, g.Sum(k => k.Count),
                g.GroupBy(k => k.Level).OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Sum(k => k.Count))))
            .OrderBy(g => g.Library, StringComparer.Ordinal).ThenBy(g => g.Version, StringComparer.Ordinal).ToList();
        var verdict = reading.Events.Count == 0 && reading.EventsSeen > 0 ? "rejected"
            : reading.BadEvents.Count > 0 ? "partial" : "accepted";
        return new InspectReport(path, verdict, groups, KeptFields, reading.Ledger.Counts, reading.BadEvents,
            reading.EventsSeen, reading.Timings.Count, reading.Catalog.Count);
    }

    /// <summary>The only event fields that can reach the lake (DESIGN §3).</summary>
    public static IReadOnlyList<string> KeptFields { get; } =
    [
        "library", "version", "timestamp", "level", "code", "category", "exception_type", "source", "trace_hash",
        "python_version", "platform", "profile", "smonitor_version", "run_key (keyed hash)", "event_id (keyed hash)",
    ];

    /// <summary>
    /// The last-resort guard's filter: an exception escaping the reading of one upload is a bug met on that
    /// input, not a failure of the lake, so that input is quarantined and the batch goes on. Cancellation and
    /// exhaustion of the process are not the input's fault and still stop the run.
    /// </summary>
    internal static bool IsInputBug(Exception e) =>
        e is not (OperationCanceledException or OutOfMemoryException or InsufficientExecutionStackException or ThreadAbortException);

    // Only the exception's type: its message may quote the upload's content.
    internal static Problem InternalProblem(string path, Exception e) =>
        new(path, "internal", $"internal: {e.GetType().Name} while reading this upload (a sentinel bug; the upload is kept in quarantine for replay)");

    internal static DateTime TruncateToMicros(DateTime t) => new(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);

    internal static string KeyedHex(byte[] secret, string domain, ReadOnlySpan<byte> data, int bytes)
    {
        var input = new byte[domain.Length + 1 + data.Length];
        Encoding.ASCII.GetBytes(domain, input);
        data.CopyTo(input.AsSpan(domain.Length + 1));
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, input).AsSpan(0, bytes));
    }

    internal static string Json(IReadOnlyDictionary<string, long> counts) =>
        JsonSerializer.Serialize(counts, IngestJson.Default.IReadOnlyDictionaryStringInt64);
}

public sealed record InspectGroup(string Library, string Version, long Events, IReadOnlyDictionary<string, long> ByLevel);

public sealed record InspectReport(
    string Input, string Verdict, IReadOnlyList<InspectGroup> Kept, IReadOnlyList<string> KeptFields,
    IReadOnlyDictionary<string, long> DroppedOrScrubbed, IReadOnlyList<Problem> Problems,
    long EventsSeen, int PerformanceRows, int CatalogRows);

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, long>))]
internal sealed partial class IngestJson : System.Text.Json.Serialization.JsonSerializerContext;
