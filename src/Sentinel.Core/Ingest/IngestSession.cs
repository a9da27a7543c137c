using System.Text;
using Sentinel.Lake;

namespace Sentinel.Ingest;

/// <summary>The state of one ingest run: buffers, dedup sets, per-input outcomes.</summary>
internal sealed class IngestSession
{
    private readonly IngestOptions _options;
    private readonly LakePaths _paths;
    private readonly LakeIndex _index;
    private readonly byte[] _secret;
    private readonly DateTime _now;
    private readonly string _ingestId;
    private readonly StringPool _pool = new();
    private readonly UploadReader _reader;
    private readonly LakeWriter _writer;

    private readonly HashSet<string> _knownBundles;
    private readonly HashSet<string> _catalogKeys;
    private readonly HashSet<UInt128> _eventIdsThisRun = [];
    private readonly HashSet<string> _perfKeysThisRun = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Library, string Version), List<(EventRow Row, PendingBundle Owner)>> _events = [];
    private readonly Dictionary<(string Library, string Version), List<(PerformanceRow Row, PendingBundle Owner)>> _performance = [];
    private readonly List<CatalogRow> _catalog = [];
    private readonly List<PendingBundle> _bundles = [];
    private readonly List<InputOutcome> _outcomes = [];
    private readonly List<QuarantinedInput> _quarantined = [];
    private readonly RedactionLedger _redactions = new();
    private int _buffered;

    public IngestSession(IngestOptions options, LakePaths paths, LakeIndex index, byte[] secret, DateTime now, string ingestId)
    {
        _options = options;
        _paths = paths;
        _index = index;
        _secret = secret;
        _now = now;
        _ingestId = ingestId;
        _reader = new UploadReader(options.Config, new BundleParser(options.Config, _pool));
        _writer = new LakeWriter(paths, ingestId, options.BeforeCommitRename);
        _knownBundles = index.BundleIds();
        _catalogKeys = index.CatalogKeys();
    }

    public async Task<InputOutcome> IngestOneAsync(UploadInput upload, CancellationToken ct)
    {
        BundleReading reading;
        try
        {
            reading = _reader.Read(upload);
        }
        catch (BundleRejectedException e)
        {
            return Reject(upload, [e.Problem]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Reject(upload, [new Problem(upload.Path, null, $"cannot read: {e.Message}")]);
        }

        var bundleId = Convert.ToHexStringLower(reading.BundleDigest);
        if (_knownBundles.Contains(bundleId) && !_options.ReprocessKnownBundles)
        {
            var dup = new InputOutcome(upload.Path, InputOutcome.Duplicate, Receipt(bundleId), 0, 0, 0, []);
            _outcomes.Add(dup);
            return dup;
        }

        if (reading.EventsSeen > 0 && reading.Events.Count == 0)
        {
            return Reject(upload, reading.BadEvents);
        }

        _knownBundles.Add(bundleId);
        Attribution.Attribute(reading, _options.VersionOverrides);
        var bundleRunKey = RunKey(reading.RunId, bundleId);
        var pending = new PendingBundle(upload, bundleId, bundleRunKey, reading);
        _bundles.Add(pending);

        foreach (var ev in reading.Events)
        {
            var runId = ev.RunId ?? reading.RunId;
            var runKey = runId == reading.RunId ? bundleRunKey : RunKey(runId, bundleId);
            var idInput = new byte[ev.IdentityDigest.Length + (runId?.Length ?? 0) + 1];
            Encoding.ASCII.GetBytes(runId ?? "", idInput);
            ev.IdentityDigest.CopyTo(idInput, idInput.Length - ev.IdentityDigest.Length);
            var eventId = Ingester.KeyedHex(_secret, "event", idInput, 16);
            var row = new EventRow(eventId, bundleId, runKey, ev.Timestamp, _now, ev.Level, ev.Code, ev.Category,
                ev.ExceptionType, ev.Source, ev.TraceHash, reading.PythonVersion, reading.Platform, reading.Profile,
                reading.SmonitorVersion);
            Buffer(_events, (ev.Library, ev.Version), (row, pending));
        }

        foreach (var t in reading.Timings)
        {
            var library = Attribution.Namespace(t.Function);
            if (library is null)
            {
                reading.Ledger.Add("dropped.timing_outside_library");
                continue;
            }

            var version = Attribution.VersionFor(reading, library, _options.VersionOverrides);
            var row = new PerformanceRow(bundleRunKey, bundleId, t.Function, reading.GeneratedAt, _now, t.Count, t.P50Ms,
                t.P95Ms, t.MaxMs, reading.PythonVersion, reading.Platform, reading.Profile, reading.SmonitorVersion);
            Buffer(_performance, (library, version), (row, pending));
        }

        pending.CatalogRows = AddCatalog(reading, bundleId);
        _redactions.AddAll(reading.Ledger);
        if (reading.BadEvents.Count > 0)
        {
            var entry = Quarantine.Store(_paths, upload.Path, QuarantineEntry.Partial, UploadReader.ShapeName(upload.Shape), reading.BadEvents, _now, _options.QuarantineAs);
            _quarantined.Add(new QuarantinedInput(upload.Path,
                $"{reading.BadEvents.Count} bad event(s) quarantined, good events kept: {reading.BadEvents[0].Where}: {reading.BadEvents[0].Message}", entry.Id));
        }

        if (_buffered >= _options.FlushRows)
        {
            await FlushAsync(ct);
        }

        return pending.Outcome(reading.BadEvents.Count > 0 ? InputOutcome.Partial : InputOutcome.Accepted);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        if (_catalog.Count > 0)
        {
            await _writer.StageCatalogAsync(_catalog, ct);
        }

        var rows = _bundles.Select(b => b.ToRow(_ingestId, _now, _options.Inbox is not null)).ToList();
        await _writer.CommitAsync(rows, ct);
        _outcomes.AddRange(_bundles.Select(b => b.Outcome(b.Reading.BadEvents.Count > 0 ? InputOutcome.Partial : InputOutcome.Accepted)));
    }

    public void Abandon() => _writer.Abandon();

    public IngestResult Result(IReadOnlyList<Problem> skipped, double seconds)
    {
        var outcomes = _outcomes.OrderBy(o => o.Input, StringComparer.Ordinal).ToList();
        return new IngestResult(
            Inputs: outcomes.Count,
            Accepted: outcomes.Count(o => o.Status is InputOutcome.Accepted or InputOutcome.Partial),
            Duplicates: outcomes.Count(o => o.Status == InputOutcome.Duplicate),
            Quarantined: _quarantined,
            EventsWritten: _bundles.Sum(b => b.EventsWritten),
            EventsDuplicate: _bundles.Sum(b => b.EventsDuplicate),
            PerformanceRowsWritten: _bundles.Sum(b => b.PerformanceRows),
            CatalogRowsWritten: _catalog.Count,
            Redactions: _redactions.Counts,
            Receipts: [.. outcomes.Where(o => o.Receipt is not null).Select(o => o.Receipt!)],
            Outcomes: outcomes,
            Skipped: skipped,
            Seconds: seconds);
    }

    private InputOutcome Reject(UploadInput upload, IReadOnlyList<Problem> problems)
    {
        var entry = Quarantine.Store(_paths, upload.Path, QuarantineEntry.Rejected, UploadReader.ShapeName(upload.Shape), problems, _now, _options.QuarantineAs);
        var first = problems.Count > 0 ? problems[0] : new Problem(upload.Path, null, "rejected");
        var reason = problems.Count > 1 ? $"{first.Where}: {first.Message} (and {problems.Count - 1} more)" : $"{first.Where}: {first.Message}";
        _quarantined.Add(new QuarantinedInput(upload.Path, reason, entry.Id));
        var outcome = new InputOutcome(upload.Path, InputOutcome.Quarantined, null, 0, 0, problems.Count, problems);
        _outcomes.Add(outcome);
        return outcome;
    }

    private void Buffer<T>(Dictionary<(string, string), List<T>> buffer, (string, string) key, T item)
    {
        if (!buffer.TryGetValue(key, out var list))
        {
            buffer[key] = list = [];
        }

        list.Add(item);
        _buffered++;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        var runKeys = _events.Values.SelectMany(l => l.Select(e => e.Row.RunKey)).ToHashSet(StringComparer.Ordinal);
        var stored = _index.EventIds(runKeys);
        foreach (var ((library, version), rows) in _events.OrderBy(k => k.Key.Library, StringComparer.Ordinal).ThenBy(k => k.Key.Version, StringComparer.Ordinal))
        {
            var keep = new List<EventRow>(rows.Count);
            foreach (var (row, owner) in rows)
            {
                // Overlapping re-exports and --append-events repeats collapse to one row.
                if (stored.Contains(row.EventId) || !_eventIdsThisRun.Add(UInt128.Parse(row.EventId, System.Globalization.NumberStyles.HexNumber)))
                {
                    owner.EventsDuplicate++;
                    continue;
                }

                owner.EventsWritten++;
                keep.Add(row);
            }

            if (keep.Count > 0)
            {
                await _writer.StageEventsAsync(library, version, keep, ct);
            }
        }

        var perfRuns = _performance.Values.SelectMany(l => l.Select(e => e.Row.RunKey)).ToHashSet(StringComparer.Ordinal);
        var storedPerf = _index.PerformanceKeys(perfRuns);
        foreach (var ((library, version), rows) in _performance.OrderBy(k => k.Key.Library, StringComparer.Ordinal).ThenBy(k => k.Key.Version, StringComparer.Ordinal))
        {
            // One row per run × function: a later export of the same run does not add a second.
            var keep = new List<PerformanceRow>(rows.Count);
            foreach (var (row, owner) in rows)
            {
                var key = row.RunKey + "|" + row.Function;
                if (!storedPerf.Contains(key) && _perfKeysThisRun.Add(key))
                {
                    owner.PerformanceRows++;
                    keep.Add(row);
                }
            }

            if (keep.Count > 0)
            {
                await _writer.StagePerformanceAsync(library, version, keep, ct);
            }
        }

        _events.Clear();
        _performance.Clear();
        _buffered = 0;
    }

    private int AddCatalog(BundleReading reading, string bundleId)
    {
        var added = 0;
        if (reading.Catalog.Count == 0)
        {
            return 0;
        }

        // A catalog code belongs to the library whose events carry it, else to the library whose
        // events carry the same code prefix, else (single-library bundles) to the host.
        var byCode = reading.Events.Where(e => e.Code is not null).GroupBy(e => e.Code!)
            .ToDictionary(g => g.Key, g => (g.First().Library, g.First().Version), StringComparer.Ordinal);
        var byPrefix = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var (code, lv) in byCode)
        {
            var prefix = Prefix(code);
            if (prefix is not null)
            {
                byPrefix.TryAdd(prefix, lv);
            }
        }

        var libraries = reading.Events.Select(e => e.Library).Where(l => l != LakeSchema.Unknown).Distinct().ToList();
        foreach (var entry in reading.Catalog)
        {
            (string Library, string Version) owner;
            if (byCode.TryGetValue(entry.Code, out var direct))
            {
                owner = direct;
            }
            else if (Prefix(entry.Code) is { } p && byPrefix.TryGetValue(p, out var viaPrefix))
            {
                owner = viaPrefix;
            }
            else if (libraries.Count == 1 && Prefix(entry.Code) is null)
            {
                // Prefix-less codes (ExecutableNotFoundError) of a single-library bundle. A prefixed
                // code nobody emitted (PUW-… in a molsysmt run) may be another library's: not guessed.
                owner = (libraries[0], Attribution.VersionFor(reading, libraries[0], _options.VersionOverrides));
            }
            else
            {
                reading.Ledger.Add("dropped.catalog_unattributed");
                continue;
            }

            var key = $"{owner.Library}|{owner.Version}|{entry.Code}";
            if (_catalogKeys.Add(key))
            {
                _catalog.Add(new CatalogRow(owner.Library, owner.Version, entry.Code, entry.Title, entry.Hint, entry.Category, bundleId, _now));
                added++;
            }
        }

        return added;
    }

    private static string? Prefix(string code)
    {
        var dash = code.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? code[..dash] : null;
    }

    private string RunKey(string? runId, string bundleId) =>
        Ingester.KeyedHex(_secret, "run", Encoding.UTF8.GetBytes(runId ?? "bundle:" + bundleId), 16);

    private static string Receipt(string bundleId) => bundleId[..24];

    private sealed class PendingBundle(UploadInput upload, string bundleId, string runKey, BundleReading reading)
    {
        public BundleReading Reading { get; } = reading;
        public long EventsWritten;
        public long EventsDuplicate;
        public long PerformanceRows;
        public long CatalogRows;

        public InputOutcome Outcome(string status) =>
            new(upload.Path, status, Receipt(bundleId), EventsWritten, EventsDuplicate, Reading.BadEvents.Count, Reading.BadEvents);

        public BundleRow ToRow(string ingestId, DateTime now, bool fromInbox) => new(
            bundleId, Receipt(bundleId), ingestId, now, UploadReader.ShapeName(upload.Shape), runKey,
            Reading.SmonitorVersion, Reading.PythonVersion, Reading.Platform, Reading.Profile,
            Reading.EventsSeen, EventsWritten, EventsDuplicate, Reading.BadEvents.Count, PerformanceRows,
            CatalogRows, string.Join(",", Reading.Events.Select(e => e.Library).Distinct().Order(StringComparer.Ordinal)),
            Ingester.Json(Reading.Ledger.Counts), fromInbox ? InboxFiles.UploadReceipt(upload.Path) : null);
    }
}
