using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Sentinel.Config;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>The state of one ingest run: buffers, dedup sets, per-input outcomes.</summary>
internal sealed class IngestSession : IDisposable
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
    private readonly HashSet<string> _forgotten;
    private readonly DistinctBudget _distinct;

    // The version hints of the upload being read: the options' with its manifest, if the inbox has one.
    private VersionHints _versions;
    private readonly LibraryRegistry _registry;
    // Event ids without a run id (the keyed hash of the content alone) can repeat under another
    // bundle's run_key, so they are remembered for the whole ingest; every other id is looked up
    // by run_key in the lake and in this ingest's staged files (see FlushAsync).
    private readonly EventIdSet _runlessEventIds = new();
    // run_key -> this ingest's staged events files that hold rows of it: a flush reads back only those.
    private readonly Dictionary<string, List<string>> _stagedFilesByRun = new(StringComparer.Ordinal);
    // The ids staged since the current bundle began, and the files they went to: a bundle larger than the
    // buffer checks its later slices against these instead of reading its own files back (see FlushAsync).
    private EventIdSet _sinceBundleStart = new();
    private readonly HashSet<string> _filesSinceBundleStart = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _perfCallsThisRun = new(StringComparer.Ordinal);
    // Buffered event rows in compact form (32 bytes each); the strings they share are in _templates.
    private readonly Dictionary<(string Library, string Version), List<BufferedEvent>> _events = [];
    private readonly List<RowTemplate> _templates = [];
    private int[] _kindTemplates = []; // the current bundle's kind index -> _templates index, -1 until used
    private readonly byte[] _idInput = new byte[512];

    // One keyed hash for every event id of the session: resetting it keeps the key's precomputed state, where
    // HMACSHA256.HashData keys a new one per event (issue 19: a sixth of the ingest's crypto time).
    private readonly IncrementalHash _idHmac;

    // Row groups of a staged events file: close to DuckDB's own 122,880, and a large partition's
    // string columns are built 65,536 rows at a time instead of all FlushRows at once.
    private const int RowGroupRows = 65_536;
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
        _idHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        _now = now;
        _ingestId = ingestId;
        _reader = new UploadReader(options.Config, new BundleParser(options.Config, _pool, now, secret));
        _writer = new LakeWriter(paths, ingestId, options.BeforeCommitRename);
        _knownBundles = index.BundleIds();
        _forgotten = index.ForgottenBundleIds();
        _registry = new LibraryRegistry(options.Config);
        _versions = options.Versions;
        _distinct = DistinctBudget.Load(paths, options.Config.Ingest.Limits.MaxDistinctPerLibraryDay, now);
    }

    public async Task<InputOutcome> IngestOneAsync(UploadInput upload, CancellationToken ct)
    {
        BundleReading reading;
        try
        {
            _options.BeforeRead?.Invoke(upload.Path);
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
        catch (Exception e) when (Ingester.IsInputBug(e))
        {
            return Reject(upload, [Ingester.InternalProblem(upload.Path, e)]);
        }

        var bundleId = Convert.ToHexStringLower(reading.BundleDigest);
        if (_forgotten.Contains(bundleId))
        {
            // Its uploader asked for it to be forgotten: the same bytes are never stored again (a fresh export is).
            var forgotten = new InputOutcome(upload.Path, InputStatus.Forgotten, Receipt(bundleId), 0, 0, 0, []);
            _outcomes.Add(forgotten);
            return forgotten;
        }

        if (_knownBundles.Contains(bundleId) && !_options.ReprocessKnownBundles)
        {
            var dup = new InputOutcome(upload.Path, InputStatus.Duplicate, Receipt(bundleId), 0, 0, 0, []);
            _outcomes.Add(dup);
            return dup;
        }

        if (reading.EventsSeen > 0 && reading.Events.Count == 0)
        {
            return Reject(upload, reading.BadEvents);
        }

        _versions = _options.Versions;
        if (_options.Inbox is not null && InboxFiles.UploadReceipt(upload.Path) is { } receipt)
        {
            // The uploader's manifest (POST /v1/bundles with Sentinel-Versions): under --version, over the bundle's evidence.
            var manifest = UploadManifest.Read(_options.Inbox, receipt, out var manifestProblem);
            if (manifestProblem is not null)
            {
                reading.Ledger.Add("dropped.version_manifest");
            }

            _versions = _versions.WithManifest(manifest);
        }

        try
        {
            Attribution.Attribute(reading, _versions, _registry);
            Register(reading);
            _distinct.Apply(reading, _registry);
        }
        catch (Exception e) when (Ingester.IsInputBug(e))
        {
            return Reject(upload, [Ingester.InternalProblem(upload.Path, e)]);
        }

        _knownBundles.Add(bundleId);
        var bundleRunKey = RunKey(reading.RunId, bundleId);
        var pending = new PendingBundle(upload, bundleId, bundleRunKey, reading);
        _bundles.Add(pending);
        _sinceBundleStart = new EventIdSet();
        _filesSinceBundleStart.Clear();

        // A bundle larger than the buffer is written in slices: the buffer never holds more than
        // FlushRows rows, whatever the size of one bundle.
        _kindTemplates = new int[reading.Events.Kinds.Count];
        Array.Fill(_kindTemplates, -1);
        for (var next = 0; next < reading.Events.Count;)
        {
            next = BufferEvents(reading, pending, next);
            if (_buffered >= _options.FlushRows)
            {
                await FlushAsync(ct);
                IngestTrace.Line("flushed");
            }
        }

        foreach (var t in reading.Timings)
        {
            var library = Attribution.Namespace(t.Function);
            if (library is null || !reading.LibraryNamespaces.Contains(library))
            {
                reading.Ledger.Add("dropped.timing_outside_library");
                continue;
            }

            var version = Attribution.VersionFor(reading, library, _versions);
            if (_registry.Any)
            {
                if (_registry.LibraryOf(library) is not { } registered)
                {
                    reading.Ledger.Add("dropped.unregistered_library");
                    continue;
                }

                library = registered;
            }

            var row = new PerformanceRow(bundleRunKey, bundleId, t.Function, reading.GeneratedAt, _now, t.Count, t.P50Ms,
                t.P95Ms, t.MaxMs, reading.PythonVersion, reading.Platform, reading.Profile, reading.SmonitorVersion);
            Buffer(_performance, (library, version), (row, pending));
        }

        pending.CatalogRows = AddCatalog(reading, bundleId);
        _redactions.AddAll(reading.Ledger);
        // What the ledger row and the outcome need stays; the events are in the buffer now.
        reading.ReleaseEvents();
        if (reading.BadEvents.Count > 0)
        {
            var entry = Quarantine.Store(_paths, upload.Path, QuarantineEntry.Partial, UploadReader.ShapeName(upload.Shape), reading.BadEvents, _now, _options.QuarantineAs);
            _quarantined.Add(new QuarantinedInput(upload.Path,
                $"{reading.BadEvents.Count} bad event(s) quarantined, good events kept: {reading.BadEvents[0].Where}: {reading.BadEvents[0].Message}", entry.Id));
        }

        IngestTrace.Line("read " + Path.GetFileName(upload.Path), _buffered);
        if (_buffered >= _options.FlushRows)
        {
            await FlushAsync(ct);
            IngestTrace.Line("flushed");
        }

        return pending.Outcome(reading.BadEvents.Count > 0 ? InputStatus.Partial : InputStatus.Accepted);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        if (_catalog.Count > 0)
        {
            await _writer.StageCatalogAsync(_catalog, ct);
        }

        var rows = _bundles.Select(b => b.ToRow(_ingestId, _now, _options.Inbox is not null)).ToList();
        // The day's cap state is renamed into place by the same journal as the rows it counts.
        _distinct.Stage(_writer);
        await _writer.CommitAsync(rows, ct);
        _distinct.RemoveEarlierDays();
        IngestTrace.Line("committed");
        _outcomes.AddRange(_bundles.Select(b => b.Outcome(b.Reading.BadEvents.Count > 0 ? InputStatus.Partial : InputStatus.Accepted)));
    }

    public void Abandon() => _writer.Abandon();

    public void Dispose() => _idHmac.Dispose();

    public IngestResult Result(IReadOnlyList<Problem> skipped, double seconds)
    {
        var outcomes = _outcomes.OrderBy(o => o.Input, StringComparer.Ordinal).ToList();
        return new IngestResult(
            Inputs: outcomes.Count,
            Accepted: outcomes.Count(o => o.Status is InputStatus.Accepted or InputStatus.Partial),
            Duplicates: outcomes.Count(o => o.Status == InputStatus.Duplicate),
            Quarantined: _quarantined,
            EventsWritten: _bundles.Sum(b => b.EventsWritten),
            EventsDuplicate: _bundles.Sum(b => b.EventsDuplicate),
            PerformanceRowsWritten: _bundles.Sum(b => b.PerformanceRows),
            CatalogRowsWritten: _catalog.Count,
            Redactions: _redactions.Counts,
            Receipts: [.. outcomes.Where(o => o.Receipt is not null).Select(o => o.Receipt!)],
            Outcomes: outcomes,
            Skipped: skipped,
            Seconds: seconds)
        {
            Forgotten = outcomes.Count(o => o.Status == InputStatus.Forgotten),
        };
    }

    private InputOutcome Reject(UploadInput upload, IReadOnlyList<Problem> problems)
    {
        var entry = Quarantine.Store(_paths, upload.Path, QuarantineEntry.Rejected, UploadReader.ShapeName(upload.Shape), problems, _now, _options.QuarantineAs,
            (long)_options.Config.Ingest.Limits.MaxQuarantineCopyMb << 20);
        var first = problems.Count > 0 ? problems[0] : new Problem(upload.Path, null, "rejected");
        var reason = problems.Count > 1 ? $"{first.Where}: {first.Message} (and {problems.Count - 1} more)" : $"{first.Where}: {first.Message}";
        _quarantined.Add(new QuarantinedInput(upload.Path, reason, entry.Id));
        var outcome = new InputOutcome(upload.Path, InputStatus.Quarantined, null, 0, 0, problems.Count, problems);
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

    /// <summary>Buffers the bundle's events from <paramref name="from"/> until the buffer is full; returns where it stopped.</summary>
    private int BufferEvents(BundleReading reading, PendingBundle pending, int from)
    {
        var events = reading.Events;
        var i = from;
        while (i < events.Count)
        {
            ref readonly var ev = ref events[i++];
            if (events.Kinds[ev.Kind].Dropped)
            {
                reading.Ledger.Add("dropped.unregistered_library");
                continue;
            }

            var template = _kindTemplates[ev.Kind];
            if (template < 0)
            {
                template = _kindTemplates[ev.Kind] = _templates.Count;
                var kind = events.Kinds[ev.Kind];
                var runId = kind.RunId ?? reading.RunId;
                var runKey = runId == reading.RunId ? pending.RunKey : RunKey(runId, pending.BundleId);
                _templates.Add(new RowTemplate(pending, kind, runId, runKey, reading));
            }

            var t = _templates[template];
            Buffer(_events, (t.Kind.Library, t.Kind.Version), new BufferedEvent(EventId(t.RunId, ev.IdentityDigest), ev.TimestampTicks, template));
            if (_buffered >= _options.FlushRows)
            {
                break;
            }
        }

        return i;
    }

    /// <summary>The event_id: keyed hash of "event" 0 run_id 0 digest, the first 16 bytes (shown as 32 hex digits).</summary>
    private UInt128 EventId(string? runId, in Sha256Digest digest)
    {
        var input = _idInput.AsSpan();
        "event"u8.CopyTo(input);
        input[5] = 0;
        var length = 6 + Encoding.ASCII.GetBytes(runId ?? "", input[6..]);
        input[length++] = 0;
        ((ReadOnlySpan<byte>)digest).CopyTo(input[length..]);
        length += 32;
        Span<byte> mac = stackalloc byte[32];
        _idHmac.AppendData(input[..length]);
        _idHmac.GetHashAndReset(mac);
        return BinaryPrimitives.ReadUInt128BigEndian(mac);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        // Equal event ids with a run id have the same run_id, hence the same run_key: the ids this
        // ingest already wrote for the buffer's runs are in its staged files, and those staged since
        // the current bundle began are also in _sinceBundleStart (so a large bundle never reads its own
        // slices back). Memory grows with the largest run and the largest bundle, not with the whole
        // input (an in-memory set of every id written did).
        var runKeys = _templates.Select(t => t.RunKey).ToHashSet(StringComparer.Ordinal);
        var staged = runKeys.SelectMany(k => _stagedFilesByRun.GetValueOrDefault(k) ?? [])
            .Where(f => !_filesSinceBundleStart.Contains(f)).Distinct(StringComparer.Ordinal).ToList();
        var stored = _index.EventIds(runKeys, staged);
        foreach (var ((library, version), rows) in _events.OrderBy(k => k.Key.Library, StringComparer.Ordinal).ThenBy(k => k.Key.Version, StringComparer.Ordinal))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            var keep = Deduplicate(CollectionsMarshal.AsSpan(rows), stored, written);
            if (keep > 0)
            {
                var file = await _writer.StageEventsAsync(library, version, Slices(rows, keep), ct);
                _filesSinceBundleStart.Add(file);
                foreach (var runKey in written)
                {
                    if (!_stagedFilesByRun.TryGetValue(runKey, out var files))
                    {
                        _stagedFilesByRun[runKey] = files = [];
                    }

                    files.Add(file);
                }
            }
        }

        var perfRuns = _performance.Values.SelectMany(l => l.Select(e => e.Row.RunKey)).ToHashSet(StringComparer.Ordinal);
        var storedPerf = _index.PerformanceCalls(perfRuns);

        // The most complete export of a run wins, whatever the arrival order: a run × function row is stored only
        // when it has more calls than every row stored for it before (a mid-run snapshot, then the final export, adds
        // the final one; the reverse order adds nothing). Of this flush's rows for one key, only the fullest counts.
        var fullest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (row, _) in _performance.Values.SelectMany(l => l))
        {
            var key = row.RunKey + "|" + row.Function;
            fullest[key] = Math.Max(fullest.GetValueOrDefault(key, -1), row.Count ?? 0);
        }

        foreach (var ((library, version), rows) in _performance.OrderBy(k => k.Key.Library, StringComparer.Ordinal).ThenBy(k => k.Key.Version, StringComparer.Ordinal))
        {
            var keep = new List<PerformanceRow>(rows.Count);
            foreach (var (row, owner) in rows)
            {
                var key = row.RunKey + "|" + row.Function;
                var calls = row.Count ?? 0;
                var before = Math.Max(storedPerf.GetValueOrDefault(key, -1), _perfCallsThisRun.GetValueOrDefault(key, -1));
                if (calls == fullest[key] && calls > before)
                {
                    _perfCallsThisRun[key] = calls;
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
        _templates.Clear();
        Array.Fill(_kindTemplates, -1);
        _buffered = 0;
    }

    /// <summary>Marks duplicates (Template = -1) and counts them on their bundles; returns the rows kept.</summary>
    /// <param name="written">Gets the run_keys of the rows kept.</param>
    private int Deduplicate(Span<BufferedEvent> rows, EventIdSet stored, HashSet<string> written)
    {
        var keep = 0;
        foreach (ref var row in rows)
        {
            var template = _templates[row.Template];
            var owner = template.Owner;
            // Overlapping re-exports and --append-events repeats collapse to one row.
            if (stored.Contains(row.Id) || !_sinceBundleStart.Add(row.Id) || (template.RunId is null && !_runlessEventIds.Add(row.Id)))
            {
                owner.EventsDuplicate++;
                row.Template = -1;
                continue;
            }

            owner.EventsWritten++;
            written.Add(template.RunKey);
            keep++;
        }

        return keep;
    }

    /// <summary>The kept rows as Parquet row groups of at most <see cref="RowGroupRows"/>, each built when it is written.</summary>
    private IEnumerable<EventColumns> Slices(List<BufferedEvent> rows, int keep)
    {
        var next = 0;
        for (var left = keep; left > 0; left -= RowGroupRows)
        {
            yield return Columns(rows, ref next, Math.Min(left, RowGroupRows));
        }
    }

    private EventColumns Columns(List<BufferedEvent> rows, ref int next, int count)
    {
        var c = new EventColumns(count);
        Span<byte> id = stackalloc byte[16];
        var j = 0;
        for (; j < count; next++)
        {
            var row = rows[next];
            if (row.Template < 0)
            {
                continue;
            }

            var t = _templates[row.Template];
            BinaryPrimitives.WriteUInt128BigEndian(id, row.Id);
            c.EventId[j] = Convert.ToHexStringLower(id);
            c.BundleId[j] = t.Owner.BundleId;
            c.RunKey[j] = t.RunKey;
            c.Timestamp[j] = new DateTime(row.TimestampTicks, DateTimeKind.Utc);
            c.ReceivedAt[j] = _now;
            c.Level[j] = t.Kind.Level;
            c.Code[j] = t.Kind.Code;
            c.Category[j] = t.Kind.Category;
            c.ExceptionType[j] = t.Kind.ExceptionType;
            c.Source[j] = t.Kind.KeptSource;
            c.TraceHash[j] = t.Kind.TraceHash;
            c.PythonVersion[j] = t.PythonVersion;
            c.Platform[j] = t.Platform;
            c.Profile[j] = t.Profile;
            c.SmonitorVersion[j] = t.SmonitorVersion;
            j++;
        }

        return c;
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
        // Kinds are in order of first appearance, so the first kind with a code is its first event's.
        var byCode = new Dictionary<string, (string Library, string Version)>(StringComparer.Ordinal);
        foreach (var kind in reading.Events.Kinds)
        {
            if (kind.Code is not null && !kind.Dropped)
            {
                byCode.TryAdd(kind.Code, (kind.Library, kind.Version));
            }
        }

        var byPrefix = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var (code, lv) in byCode)
        {
            var prefix = Prefix(code);
            if (prefix is not null)
            {
                byPrefix.TryAdd(prefix, lv);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var libraries = reading.Events.Kinds.Where(k => !k.Dropped).Select(k => k.Library).Where(l => l != LakeSchema.Unknown).Distinct().ToList();
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
                owner = (libraries[0], Attribution.VersionFor(reading, libraries[0], _versions));
            }
            else
            {
                reading.Ledger.Add("dropped.catalog_unattributed");
                continue;
            }

            if (!_registry.Serves(owner.Library))
            {
                reading.Ledger.Add("dropped.unregistered_library");
                continue;
            }

            if (!_distinct.Admit(owner.Library, "code", entry.Code))
            {
                reading.Ledger.Add("folded.catalog");
                continue;
            }

            // One row per upload and code: which title each upload reported is what the public title is decided on
            // (the title most runs agree on, docs/privacy.md), never the first one seen.
            if (seen.Add($"{owner.Library}|{owner.Version}|{entry.Code}"))
            {
                _catalog.Add(new CatalogRow(owner.Library, owner.Version, entry.Code, entry.Title, entry.Hint, entry.Category, bundleId, _now));
                added++;
            }
        }

        return added;
    }

    /// <summary>
    /// With libraries registered (<c>libraries:</c>), the kinds of any other library, or of none, are dropped (their
    /// events counted as <c>dropped.unregistered_library</c> while buffering); a registered namespace maps to its
    /// library's name. With none registered, everything is kept.
    /// </summary>
    private void Register(BundleReading reading)
    {
        if (!_registry.Any)
        {
            return;
        }

        foreach (var kind in reading.Events.Kinds)
        {
            if (_registry.LibraryOf(kind.Library) is { } registered)
            {
                kind.Library = registered;
            }
            else
            {
                kind.Dropped = true;
            }
        }
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
        public string BundleId => bundleId;
        public string RunKey => runKey;
        public long EventsWritten;
        public long EventsDuplicate;
        public long PerformanceRows;
        public long CatalogRows;

        public InputOutcome Outcome(InputStatus status) =>
            new(upload.Path, status, Receipt(bundleId), EventsWritten, EventsDuplicate, Reading.BadEvents.Count, Reading.BadEvents);

        public BundleRow ToRow(string ingestId, DateTime now, bool fromInbox) => new(
            bundleId, Receipt(bundleId), ingestId, now, UploadReader.ShapeName(upload.Shape), runKey,
            Reading.SmonitorVersion, Reading.PythonVersion, Reading.Platform, Reading.Profile,
            Reading.EventsSeen, EventsWritten, EventsDuplicate, Reading.BadEvents.Count, PerformanceRows,
            CatalogRows, string.Join(",", Reading.Libraries),
            Ingester.Json(Reading.Ledger.Counts), fromInbox ? InboxFiles.UploadReceipt(upload.Path) : null);
    }

    /// <summary>One buffered event row: its id, time and the shared rest (a <see cref="RowTemplate"/>).</summary>
    private struct BufferedEvent(UInt128 id, long timestampTicks, int template)
    {
        public readonly UInt128 Id = id;
        public readonly long TimestampTicks = timestampTicks;
        public int Template = template; // -1 once found to be a duplicate
    }

    /// <summary>The values one kind of event of one bundle shares, row after row.</summary>
    private sealed class RowTemplate(PendingBundle owner, EventKind kind, string? runId, string runKey, BundleReading reading)
    {
        public PendingBundle Owner { get; } = owner;
        public EventKind Kind { get; } = kind;
        public string? RunId { get; } = runId;
        public string RunKey { get; } = runKey;
        public string? PythonVersion { get; } = reading.PythonVersion;
        public string? Platform { get; } = reading.Platform;
        public string? Profile { get; } = reading.Profile;
        public string? SmonitorVersion { get; } = reading.SmonitorVersion;
    }
}
