using System.Text;
using System.Text.Json;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Ingest;

/// <summary>
/// Streams the two documents an smonitor bundle is made of — the bundle object and, for
/// directory bundles, <c>events.jsonl</c> — into a <see cref="BundleReading"/>.
/// </summary>
internal sealed partial class BundleParser
{
    private const int SmallSectionBytes = 1 << 20;
    private const int CatalogTextMax = 300;

    private static readonly HashSet<string> Profiles = new(StringComparer.Ordinal) { "user", "dev", "qa", "agent", "debug" };

    private readonly LimitsConfig _limits;
    private readonly EventReducer _reducer;
    private readonly StringPool _pool;
    private readonly ParsedEvent _event = new(); // refilled for every event

    // Plausible event times: smonitor did not exist before 2000, and a clock more than a day ahead is wrong.
    // Year 0001 or 9999 would otherwise become a problem's first or last seen.
    internal static readonly DateTime EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly DateTime _latestTimestamp;

    /// <param name="now">The ingest's clock: events more than a day after it are refused.</param>
    /// <param name="traceKey">The key of recomputed trace hashes: the lake's secret when ingesting (see <see cref="EventReducer"/>).</param>
    public BundleParser(SentinelConfig config, StringPool pool, DateTime now, byte[]? traceKey = null)
    {
        _latestTimestamp = now.AddDays(1);
        _limits = config.Ingest.Limits;
        _pool = pool;
        _reducer = new EventReducer(config.Ingest.NameKeys, config.Ingest.VersionKeys, _limits.MaxDepth, pool, traceKey);
        // The reading thread is one of the threads: it splits lines (and keeps the reduced events) while the others reduce.
        _workerCount = (config.Ingest.Threads > 0 ? config.Ingest.Threads : Math.Min(Environment.ProcessorCount, 4)) - 1;
        // Each worker reduces with its own reducer and string pool (neither is thread-safe); kept for the session, so
        // their caches of decoded and scrubbed values carry over from one upload to the next.
        _newWorkerReducer = () => new EventReducer(config.Ingest.NameKeys, config.Ingest.VersionKeys, _limits.MaxDepth, new StringPool(), traceKey);
    }

    private int MaxEventBytes => _limits.MaxEventKb * 1024;

    /// <summary>Reads a bundle object (single-file bundle or <c>bundle.json</c>).</summary>
    /// <exception cref="BundleRejectedException">The document is not a readable smonitor bundle.</exception>
    public void ReadBundleObject(Stream raw, string file, BundleReading into)
    {
        var reader = new JsonStreamReader(new PythonJsonStream(raw), _limits.MaxDepth, _limits.MaxTokenMb << 20);
        try
        {
            if (!reader.Read())
            {
                throw new BundleRejectedException(new Problem(file, null, "empty file: no JSON value"));
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new BundleRejectedException(new Problem(file, null,
                    $"top-level value must be an smonitor bundle object, got {reader.TokenType}"));
            }

            var sawKnownKey = false;
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = Encoding.UTF8.GetString(reader.LastString);
                if (!keys.Add(key))
                {
                    throw Duplicate(file, key, "the bundle object");
                }

                switch (key)
                {
                    case "smonitor_version":
                        sawKnownKey = true;
                        into.SmonitorVersion = VersionOrNull(ReadScalarString(reader));
                        break;
                    case "generated_at":
                        var ts = ReadScalarString(reader);
                        if (ts is not null && IsoTimestamp.TryParseUtc(Encoding.UTF8.GetBytes(ts), out var at) == IsoTimestamp.Problem.None
                            && at >= EarliestTimestamp && at <= _latestTimestamp)
                        {
                            into.GeneratedAt = at;
                        }

                        break;
                    case "python":
                        ReadPython(Unambiguous(reader.ReadValue(SmallSectionBytes, out _), file, "python"), into);
                        break;
                    case "platform":
                        ReadPlatform(Unambiguous(reader.ReadValue(SmallSectionBytes, out _), file, "platform"), into);
                        break;
                    case "runtime":
                        sawKnownKey = true;
                        ReadRuntime(Unambiguous(reader.ReadValue(SmallSectionBytes, out _), file, "runtime"), into);
                        break;
                    case "config":
                        ReadConfig(Unambiguous(reader.ReadValue(SmallSectionBytes, out _), file, "config"), into);
                        break;
                    case "codes":
                        ReadCodes(reader, file, into);
                        break;
                    case "report":
                        sawKnownKey = true;
                        ReadReport(reader, file, into);
                        break;
                    case "events":
                        sawKnownKey = true;
                        ReadEventsArray(reader, file, into);
                        break;
                    case "signals":
                        ReadDeclaredNamespaces(reader, into);
                        break;
                    default:
                        // argv, policy, triage, redactions, project_config, ...: never kept.
                        reader.SkipValue();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw new JsonException("expected the end of the bundle object");
            }

            if (reader.Read())
            {
                throw new JsonException("unexpected data after the bundle object");
            }

            if (!sawKnownKey)
            {
                throw new BundleRejectedException(new Problem(file, null,
                    "a JSON object, but not an smonitor bundle (none of smonitor_version, runtime, report, events)"));
            }

            into.SawBundleObject = true;
        }
        catch (JsonException e)
        {
            if (reader.Offset == 0 && e.Message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
            {
                throw new BundleRejectedException(new Problem(file, null, "empty file: no JSON value"));
            }

            throw new BundleRejectedException(new Problem(file, null, $"not valid JSON at byte {reader.Offset:N0}: {Clean(e.Message)}"));
        }
        catch (InvalidDataException e)
        {
            throw new BundleRejectedException(new Problem(file, null, e.Message));
        }
        catch (ValueTooLargeException e)
        {
            throw new BundleRejectedException(new Problem(file, null,
                e.Message + (e.Limit == SmallSectionBytes ? " (a bundle section or catalog entry larger than 1 MiB)" : " (ingest.limits.max_token_mb)")));
        }
    }

    /// <summary>
    /// Reads <c>events.jsonl</c>: a bad line is recorded with its number; the others are kept. A file of more than one
    /// batch of lines is reduced by the worker threads (<c>ingest.threads</c>) in file order (BundleParser.Parallel.cs).
    /// </summary>
    public void ReadEventsJsonl(Stream raw, string file, BundleReading into)
    {
        into.SawEventsFile = true;
        IngestTrace.Line("events.jsonl: start");
#pragma warning disable CA2000 // not disposed on purpose: PythonJsonStream would dispose raw, which the caller owns and hashes afterwards
        var lines = new JsonLineReader(new PythonJsonStream(raw), MaxEventBytes);
#pragma warning restore CA2000
        try
        {
            if (_workerCount >= 1)
            {
                ReadLinesInParallel(lines, file, inArray: false, into);
            }
            else
            {
                while (lines.Next(out var line, out var number, out var tooLong))
                {
                    var where = new EventLocation(file, number, InArray: false);
                    if (Count(where, tooLong, into))
                    {
                        AddEvent(line, where, into);
                    }
                }
            }

            IngestTrace.Line("events.jsonl: end");
        }
        catch (InvalidDataException e)
        {
            throw new BundleRejectedException(new Problem(file, null, e.Message));
        }
    }

    /// <summary>Counts a line; false (and recorded as bad) when it is too long. Throws past the events limit.</summary>
    private bool Count(EventLocation where, bool tooLong, BundleReading into)
    {
        into.EventsSeen++;
        if (tooLong)
        {
            into.BadEvents.Add(new Problem(where.ToString(), null, where.InArray
                ? $"event larger than {_limits.MaxEventKb} KiB (ingest.limits.max_event_kb)"
                : $"event line longer than {_limits.MaxEventKb} KiB (ingest.limits.max_event_kb)"));
            into.Ledger.Add("rejected.event");
            return false;
        }

        if (into.EventsSeen > _limits.MaxEventsPerBundle)
        {
            throw new BundleRejectedException(new Problem(where.File, null,
                $"more than {_limits.MaxEventsPerBundle:N0} events (ingest.limits.max_events_per_bundle)"));
        }

        return true;
    }

    private void AddEvent(ReadOnlySpan<byte> json, EventLocation where, BundleReading into) =>
        Keep(Reduce(_reducer, json, where, into.Ledger, _event), _event, into);

    /// <summary>
    /// Parses, validates and scrubs one event into <paramref name="ev"/> (its scrub and drop counts into
    /// <paramref name="ledger"/>): null when it is kept, else why not. Touches nothing of the bundle: a worker thread
    /// may run it with its own reducer.
    /// </summary>
    private Problem? Reduce(EventReducer reducer, ReadOnlySpan<byte> json, EventLocation where, RedactionLedger ledger, ParsedEvent ev)
    {
        bool ok;
        Problem? problem;
        try
        {
            ok = reducer.Reduce(json, where, ledger, ev, out problem);
        }
        catch (JsonException e)
        {
            ok = false;
            problem = new Problem(where.ToString(), null, $"not valid JSON: {Clean(e.Message)}");
        }
        catch (UndecodableTextException e)
        {
            ok = false;
            problem = new Problem(where.ToString(), e.Field, UndecodableTextException.Reason);
        }

        if (ok && (ev.Timestamp < EarliestTimestamp || ev.Timestamp > _latestTimestamp))
        {
            ok = false;
            problem = new Problem(where.ToString(), "timestamp",
                $"timestamp {ev.Timestamp:yyyy-MM-dd} is out of range (before 2000-01-01 or more than one day after the ingest's clock)");
        }

        return ok ? null : problem!;
    }

    /// <summary>Stores a reduced event in the bundle (its values capped per upload), or records why it was not kept. In file order.</summary>
    private void Keep(Problem? problem, ParsedEvent ev, BundleReading into)
    {
        if (problem is null)
        {
            ev.Code = Capped(into, "code", ev.Code, _ => Other);
            ev.Source = Capped(into, "source", ev.Source, OtherInNamespace);
            ev.TraceHash = Capped(into, "trace_hash", ev.TraceHash, _ => Other)!;
            into.AddEvent(ev);
        }
        else
        {
            into.BadEvents.Add(problem);
            into.Ledger.Add("rejected.event");
        }
    }

    private void ReadEventsArray(JsonStreamReader reader, string file, BundleReading into)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new BundleRejectedException(new Problem(file, "events", "events must be an array"));
        }

        if (_workerCount >= 1)
        {
            // Counted, kept and refused exactly as below (one loop for both shapes: BundleParser.Parallel.cs).
            ReadLinesInParallel(new ArrayEventValues(reader, MaxEventBytes), file, inArray: true, into);
            return;
        }

        var index = 0;
        while (true)
        {
            ReadOnlySpan<byte> value;
            JsonTokenType first;
            try
            {
                value = reader.ReadValue(MaxEventBytes, out first);
            }
            catch (ValueTooLargeException)
            {
                into.EventsSeen++;
                into.BadEvents.Add(new Problem($"{file} events[{index}]", null, $"event larger than {_limits.MaxEventKb} KiB (ingest.limits.max_event_kb)"));
                into.Ledger.Add("rejected.event");
                reader.SkipValue();
                index++;
                continue;
            }

            if (first == JsonTokenType.EndArray)
            {
                return;
            }

            into.EventsSeen++;
            if (into.EventsSeen > _limits.MaxEventsPerBundle)
            {
                throw new BundleRejectedException(new Problem(file, null,
                    $"more than {_limits.MaxEventsPerBundle:N0} events (ingest.limits.max_events_per_bundle)"));
            }

            AddEvent(value, new EventLocation(file, index, InArray: true), into);
            index++;
        }
    }

    private static string? ReadScalarString(JsonStreamReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of data");
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            // Not the scalar we expected: consume the rest of it.
            var depth = 1;
            while (depth > 0 && reader.Read())
            {
                depth += reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? 1
                    : reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray ? -1 : 0;
            }

            return null;
        }

        return reader.TokenType == JsonTokenType.String && reader.LastString.Length <= 128
            ? Encoding.UTF8.GetString(reader.LastString)
            : null;
    }

    private void ReadPython(ReadOnlySpan<byte> json, BundleReading into)
    {
        var version = StringProperty(json, "version"u8, into.Ledger);
        if (version is null)
        {
            return;
        }

        var parts = version.Split('.');
        into.PythonVersion = parts.Length >= 2 && parts[0].All(char.IsAsciiDigit) && parts[1].All(char.IsAsciiDigit)
            && parts[0].Length is > 0 and <= 2 && parts[1].Length is > 0 and <= 3
            ? _pool.Get(Encoding.UTF8.GetBytes($"{parts[0]}.{parts[1]}"))
            : null;
    }

    private void ReadPlatform(ReadOnlySpan<byte> json, BundleReading into)
    {
        var system = StringProperty(json, "system"u8, into.Ledger);
        var machine = StringProperty(json, "machine"u8, into.Ledger);
        // The closed vocabulary decides (anything else is `other`); the kernel release is dropped on purpose: it narrows a machine down.
        into.Platform = PlatformVocabulary.Normalize(system, machine, r => into.Ledger.Add(r));
    }

    private static void ReadRuntime(ReadOnlySpan<byte> json, BundleReading into)
    {
        var runId = StringProperty(json, "run_id"u8, into.Ledger);
        into.RunId = runId is { Length: > 0 and <= 128 } && EventReducer.IsIdentifier(Encoding.UTF8.GetBytes(runId)) ? runId : null;
    }

    private static void ReadConfig(ReadOnlySpan<byte> json, BundleReading into)
    {
        var profile = StringProperty(json, "profile"u8, into.Ledger);
        into.Profile = profile is not null && Profiles.Contains(profile) ? profile : null;
    }

    /// <summary>
    /// The libraries that configured smonitor in the process: the first component of each key of the bundle's
    /// <c>signals</c> catalog (<c>pyunitwizard.error.argument</c> → <c>pyunitwizard</c>). Names only, as evidence
    /// that a namespace is a library (<see cref="Attribution"/>); nothing else of the section is read.
    /// </summary>
    private static void ReadDeclaredNamespaces(JsonStreamReader reader, BundleReading into)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // Not the catalog smonitor writes: skipped whole (an array is read to its end), no evidence from it.
            for (var depth = reader.TokenType is JsonTokenType.StartArray ? 1 : 0; depth > 0;)
            {
                if (!reader.Read())
                {
                    throw new JsonException("unexpected end of data");
                }

                depth += reader.TokenType switch
                {
                    JsonTokenType.StartObject or JsonTokenType.StartArray => 1,
                    JsonTokenType.EndObject or JsonTokenType.EndArray => -1,
                    _ => 0,
                };
            }

            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.LastString;
            var dot = name.IndexOf((byte)'.');
            var first = dot < 0 ? name : name[..dot];
            if (first.Length is > 0 and <= 64 && into.DeclaredNamespaces.Count < BundleReading.MaxDeclaredNamespaces)
            {
                var ns = Encoding.UTF8.GetString(first);
                if (Attribution.IsLibraryName(ns))
                {
                    into.DeclaredNamespaces.Add(ns);
                }
            }

            reader.SkipValue();
        }
    }

    private void ReadCodes(JsonStreamReader reader, string file, BundleReading into)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            if (reader.TokenType is JsonTokenType.StartArray)
            {
                throw new JsonException("codes must be an object");
            }

            return;
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!codes.Add(Encoding.UTF8.GetString(reader.LastString)))
            {
                throw Duplicate(file, Encoding.UTF8.GetString(reader.LastString), "codes");
            }

            var code = reader.LastString.Length <= 128 && EventReducer.IsIdentifier(reader.LastString)
                ? _pool.Get(reader.LastString)
                : null;
            var entry = Unambiguous(reader.ReadValue(SmallSectionBytes, out var first), file, "a codes entry");
            if (code is null || first != JsonTokenType.StartObject || !IdentifierGrammar.Matches("code", code))
            {
                into.Ledger.Add("invalid.catalog_code");
                continue;
            }

            var codeVerdict = _pool.ScrubVerdict(code);
            if (codeVerdict is not null)
            {
                into.Ledger.Add($"scrubbed.{codeVerdict}");
                continue;
            }

            into.Catalog.Add(new CatalogEntry(
                code,
                CatalogText(StringProperty(entry, "title"u8, into.Ledger), into.Ledger),
                CatalogText(StringProperty(entry, "user_hint"u8, into.Ledger) ?? StringProperty(entry, "dev_hint"u8, into.Ledger)
                            ?? StringProperty(entry, "qa_hint"u8, into.Ledger) ?? StringProperty(entry, "agent_hint"u8, into.Ledger), into.Ledger),
                CategoryOrNull(StringProperty(entry, "category"u8, into.Ledger))));
        }
    }

    private static string? CategoryOrNull(string? s) =>
        s is { Length: > 0 and <= 64 } && EventReducer.IsIdentifier(Encoding.UTF8.GetBytes(s)) && Scrubber.Check(s) is null ? s : null;

    /// <summary>Catalog text is untrusted: length-capped, control characters removed, scrubbed.</summary>
    private static string? CatalogText(string? text, RedactionLedger ledger)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var clean = new string(text.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (clean.Length > CatalogTextMax)
        {
            clean = clean[..CatalogTextMax] + "…";
            ledger.Add("truncated.catalog_text");
        }

        var reason = Scrubber.Check(clean);
        if (reason is not null)
        {
            ledger.Add($"scrubbed.{reason}");
            return null;
        }

        return clean;
    }

    private void ReadReport(JsonStreamReader reader, string file, BundleReading into)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        var sawTimings = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.PropertyIs("timings"u8) && sawTimings)
            {
                throw Duplicate(file, "timings", "report");
            }

            if (!reader.PropertyIs("timings"u8))
            {
                // The report repeats raw events (blocking_incidents, ...): never read user data from it.
                reader.SkipValue();
                continue;
            }

            sawTimings = true;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                continue;
            }

            var functions = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!functions.Add(Encoding.UTF8.GetString(reader.LastString)))
                {
                    throw Duplicate(file, Encoding.UTF8.GetString(reader.LastString), "report.timings");
                }

                var function = reader.LastString.Length <= 256 && EventReducer.IsIdentifier(reader.LastString)
                    ? _pool.Get(reader.LastString)
                    : null;
                var entry = Unambiguous(reader.ReadValue(SmallSectionBytes, out var first), file, "a report.timings entry");
                if (function is null || first != JsonTokenType.StartObject || !IdentifierGrammar.Matches("function", function))
                {
                    into.Ledger.Add("invalid.timing_key");
                    continue;
                }

                if (_pool.ScrubVerdict(function) is { } functionVerdict)
                {
                    into.Ledger.Add($"scrubbed.{functionVerdict}");
                    continue;
                }

                if (Capped(into, "function", function, OtherInNamespace) != function)
                {
                    // One row per run × function: the folded timings have no single p95 to keep.
                    continue;
                }

                into.Timings.Add(new TimingEntry(function,
                    LongProperty(entry, "count"u8),
                    DoubleProperty(entry, "p50_ms"u8),
                    DoubleProperty(entry, "p95_ms"u8),
                    DoubleProperty(entry, "max_ms"u8)));
            }
        }
    }

    /// <summary>The bucket a value past <c>ingest.limits.max_distinct_per_upload</c> folds into.</summary>
    internal const string Other = "other";

    // A folded source keeps its top-level package, so the event is still attributed to its library.
    internal static string OtherInNamespace(string source) =>
        Attribution.Namespace(source) is { } library ? library + "." + Other : Other;

    /// <summary>
    /// The value itself while the upload has fewer than the cap of distinct values of this field, else its
    /// <c>other</c> bucket: one upload with a million distinct codes holds memory and summaries to the cap.
    /// </summary>
    private string? Capped(BundleReading into, string field, string? value, Func<string, string> other)
    {
        if (value is null)
        {
            return null;
        }

        if (!into.Distinct.TryGetValue(field, out var seen))
        {
            into.Distinct[field] = seen = new HashSet<string>(StringComparer.Ordinal);
        }

        if (seen.Contains(value))
        {
            return value;
        }

        if (seen.Count < _limits.MaxDistinctPerUpload)
        {
            seen.Add(value);
            return value;
        }

        into.Ledger.Add("folded." + field);
        return _pool.Get(System.Text.Encoding.UTF8.GetBytes(other(value)));
    }

    private static BundleRejectedException Duplicate(string file, string key, string where) =>
        new(new Problem(file, key.Length <= 64 ? key : key[..64], $"duplicate key '{(key.Length <= 64 ? key : key[..64] + "…")}' in {where}: JSON parsers disagree on which value counts, so the document is ambiguous"));

    /// <summary>A section read whole must not hold a duplicate key anywhere: rejects the document when it does.</summary>
    private ReadOnlySpan<byte> Unambiguous(ReadOnlySpan<byte> section, string file, string where) =>
        DuplicateKeys.Find(section, _limits.MaxDepth) is { } key ? throw Duplicate(file, key, where) : section;

    private static string? VersionOrNull(string? s) => s is not null && Attribution.IsVersion(Attribution.PublicPart(s)) ? Attribution.PublicPart(s) : null;

    private static string? StringProperty(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, RedactionLedger ledger)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var match = r.ValueTextEquals(name);
            r.Read();
            if (match && r.TokenType == JsonTokenType.String)
            {
                try
                {
                    return r.ValueSpan.Length <= 4096 ? r.GetString() : null;
                }
                catch (InvalidOperationException)
                {
                    // A lone surrogate escape: the field is dropped, the rest of the bundle kept.
                    ledger.Add("invalid.undecodable_text");
                    return null;
                }
            }

            r.Skip();
        }

        return null;
    }

    private static double? DoubleProperty(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var r = new Utf8JsonReader(json);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var match = r.ValueTextEquals(name);
            r.Read();
            if (match && r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var d) && double.IsFinite(d))
            {
                return d;
            }

            r.Skip();
        }

        return null;
    }

    private static long? LongProperty(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var r = new Utf8JsonReader(json);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var match = r.ValueTextEquals(name);
            r.Read();
            if (match && r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var v))
            {
                return v;
            }

            r.Skip();
        }

        return null;
    }

    // System.Text.Json messages end with a path and position that mean nothing for a framed value.
    private static string Clean(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:", ", when isFinalBlock is true" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.TrimEnd('.', ' ') + ".";
    }
}

/// <summary>The whole input is rejected; it goes to quarantine with this reason.</summary>
internal sealed class BundleRejectedException(Problem problem) : Exception(problem.Message)
{
    public Problem Problem { get; } = problem;
}
