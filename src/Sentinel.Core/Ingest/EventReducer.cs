using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Ingest;

/// <summary>
/// Reduces one raw smonitor event (its JSON bytes) to <see cref="ParsedEvent"/>: the allow-list
/// of DESIGN §3. Fields not named here are never decoded, let alone kept.
/// </summary>
internal sealed class EventReducer
{
    // The extra keys smonitor folds into the fingerprint (corpus README, "Findings").
    private static readonly string[] FingerprintExtraKeys =
    [
        "caller", "form", "requested_attribute", "resource", "provider", "operation", "retry_attempt",
        "retry_max", "retry_exhausted", "failure_class", "cause_exception_type", "cause_code",
    ];

    private readonly byte[][] _nameKeys;
    private readonly byte[][] _versionKeys;
    private readonly int _maxDepth;
    private readonly StringPool _pool;

    private readonly byte[] _traceKey;

    // Scrubber reasons of values a dictionary attack can enumerate (user and host names in paths, addresses): an
    // unkeyed hash over one of them is reversible. A random token is not (and a URL can look like one to the scrubber).
    private static readonly HashSet<string> Guessable = new(StringComparer.Ordinal)
    {
        "email", "windows_path", "unc_path", "home_path", "unix_path", "ipv4", "ipv6", "mac_address", "phone_number",
        "url_credentials", "secret_pair",
    };

    /// <param name="traceKey">The key of recomputed trace hashes (the lake's secret); null: a random one (inspect).</param>
    public EventReducer(IReadOnlyList<string> nameKeys, IReadOnlyList<string> versionKeys, int maxDepth, StringPool pool, byte[]? traceKey = null)
    {
        _traceKey = traceKey ?? RandomNumberGenerator.GetBytes(32);
        _nameKeys = [.. nameKeys.Select(Encoding.UTF8.GetBytes)];
        _versionKeys = [.. versionKeys.Select(Encoding.UTF8.GetBytes)];
        _maxDepth = maxDepth;
        _pool = pool;
    }

    /// <summary>Fills <paramref name="ev"/>; false and a problem when the event violates the contract.</summary>
    public bool Reduce(ReadOnlySpan<byte> json, EventLocation where, RedactionLedger ledger, ParsedEvent ev, out Problem? problem)
    {
        problem = null;
        ev.Reset();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = _maxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            problem = new Problem(where.ToString(), null, "an event must be a JSON object");
            return false;
        }

        ReadOnlySpan<byte> timestamp = default, level = default, message = default, code = default, fingerprint = default;
        bool hasTimestamp = false, hasLevel = false, hasMessage = false;
        string?[]? names = null, versions = null;
        SortedDictionary<string, string>? fingerprintExtra = null;
        var identityDropped = false; // an input of smonitor's fingerprint was dropped (a path as source, a scrubbed code)

        _keys.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Compared as decoded text: Python reads "lev\u0065l" as "level".
            ReadOnlySpan<byte> name = reader.ValueIsEscaped ? DuplicateKeys.Unescape(reader.ValueSpan) : reader.ValueSpan;
            if (!_keys.Add(name))
            {
                problem = new Problem(where.ToString(), Encoding.UTF8.GetString(name), DuplicateKeyReason(name));
                return false;
            }

            reader.Read();
            var type = reader.TokenType;
            switch (name.Length)
            {
                case 9 when name.SequenceEqual("timestamp"u8):
                    if (type != JsonTokenType.String)
                    {
                        problem = new Problem(where.ToString(), "timestamp", $"expected an ISO-8601 string, got {Describe(type)}");
                        return false;
                    }

                    timestamp = reader.ValueIsEscaped ? Unescaped(ref reader, "timestamp") : reader.ValueSpan;
                    hasTimestamp = true;
                    break;
                case 5 when name.SequenceEqual("level"u8):
                    if (type != JsonTokenType.String)
                    {
                        problem = new Problem(where.ToString(), "level", $"expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got {Describe(type)}");
                        return false;
                    }

                    level = reader.ValueIsEscaped ? Unescaped(ref reader, "level") : reader.ValueSpan;
                    hasLevel = true;
                    break;
                case 7 when name.SequenceEqual("message"u8):
                    if (type is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        problem = new Problem(where.ToString(), "message", $"expected a string, got {Describe(type)}");
                        return false;
                    }

                    message = type == JsonTokenType.String ? reader.ValueSpan : default;
                    hasMessage = true;
                    break;
                case 6 when name.SequenceEqual("source"u8):
                    ev.Source = Identifier(ref reader, "source", ledger, maxLength: 256);
                    identityDropped |= ev.Source is null && type == JsonTokenType.String;
                    break;
                case 4 when name.SequenceEqual("code"u8):
                    code = type == JsonTokenType.String ? reader.ValueSpan : default;
                    ev.Code = Identifier(ref reader, "code", ledger);
                    identityDropped |= ev.Code is null && type == JsonTokenType.String;
                    break;
                case 8 when name.SequenceEqual("category"u8):
                    ev.Category = Identifier(ref reader, "category", ledger);
                    break;
                case 14 when name.SequenceEqual("exception_type"u8):
                    ev.ExceptionType = Identifier(ref reader, "exception_type", ledger);
                    identityDropped |= ev.ExceptionType is null && type == JsonTokenType.String;
                    break;
                case 6 when name.SequenceEqual("run_id"u8):
                    ev.RunId = Identifier(ref reader, "run_id", ledger, scrub: false); // only its keyed hash is ever stored
                    break;
                case 11 when name.SequenceEqual("fingerprint"u8):
                    if (type == JsonTokenType.String && IsHex16(reader.ValueSpan))
                    {
                        fingerprint = reader.ValueSpan;
                    }

                    break;
                case 5 when name.SequenceEqual("extra"u8):
                    if (type == JsonTokenType.StartObject)
                    {
                        if (ReadExtra(ref reader, ref names, ref versions, ref fingerprintExtra) is { } duplicate)
                        {
                            problem = new Problem(where.ToString(), "extra." + duplicate, DuplicateKeyReason(Encoding.UTF8.GetBytes(duplicate)));
                            return false;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
                default:
                    // message-like and free-form fields (context, human_summary, tags, session_id,
                    // correlation_id, ...) are not on the allow-list: skipped undecoded.
                    reader.Skip();
                    break;
            }
        }

        if (!hasTimestamp || !hasLevel || !hasMessage)
        {
            var missing = string.Join(", ", new[] { ("timestamp", hasTimestamp), ("level", hasLevel), ("message", hasMessage) }
                .Where(p => !p.Item2).Select(p => p.Item1));
            problem = new Problem(where.ToString(), missing, $"required field(s) missing: {missing}");
            return false;
        }

        switch (IsoTimestamp.TryParseUtc(timestamp, out ev.Timestamp))
        {
            case IsoTimestamp.Problem.NoOffset:
                problem = new Problem(where.ToString(), "timestamp", "ISO-8601 timestamp without a UTC offset; local time cannot be placed");
                return false;
            case IsoTimestamp.Problem.NotIso:
                problem = new Problem(where.ToString(), "timestamp", "not an ISO-8601 timestamp (day/month order is never guessed)");
                return false;
        }

        var lvl = Level(level);
        if (lvl is null)
        {
            problem = new Problem(where.ToString(), "level", "expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
            return false;
        }

        ev.Level = lvl;
        ev.IdentityNames = names;
        ev.IdentityVersions = versions;
        // Pooled either way: events of a bundle are grouped by their (pooled) shared fields.
        // smonitor's fingerprint is an unkeyed hash of its inputs. When one of them was dropped (a home path as
        // `source`, a scrubbed code, an `extra` value the scrubber flags), a dictionary of user names could reverse
        // it: the trace hash is then recomputed from the kept fields and keyed with the lake's secret (docs/privacy.md).
        // (The verdict comes from the pool: the same few values recur on every event, and scrubbing is the costly part.)
        identityDropped |= fingerprintExtra is not null && fingerprintExtra.Values.Any(v => _pool.ScrubVerdict(v) is { } why && Guessable.Contains(why));
        ev.TraceHash = identityDropped
            ? _pool.Get(KeyedTrace(ev))
            : fingerprint.IsEmpty
                ? _pool.Get(Fingerprint(ev, fingerprintExtra))
                : _pool.Get(fingerprint);

        // event_id = keyed hash of (run_id, timestamp, trace_hash, level, code, message): the
        // key is applied later, once the run is known; here only an unkeyed digest of the rest.
        _identity.ResetWrittenCount();
        Append(_identity, timestamp);
        AppendAscii(_identity, ev.TraceHash);
        AppendAscii(_identity, lvl);
        Append(_identity, code);
        Append(_identity, message);
        SHA256.HashData(_identity.WrittenSpan, ev.IdentityDigest);
        return true;
    }

    /// <summary>The same unkeyed digest for a safe-schema telemetry record (which carries no message).</summary>
    internal static void IdentityDigest(ReadOnlySpan<byte> timestamp, string traceHash, string level, ReadOnlySpan<byte> code,
        ReadOnlySpan<byte> message, Span<byte> into)
    {
        var buffer = new ArrayBufferWriter<byte>(timestamp.Length + message.Length + 64);
        Append(buffer, timestamp);
        AppendAscii(buffer, traceHash);
        AppendAscii(buffer, level);
        Append(buffer, code);
        Append(buffer, message);
        SHA256.HashData(buffer.WrittenSpan, into);
    }

    private readonly ArrayBufferWriter<byte> _identity = new(4096);
    private readonly DuplicateKeys.Set _keys = new();
    private readonly DuplicateKeys.Set _extraKeys = new();

    private static string DuplicateKeyReason(ReadOnlySpan<byte> key) =>
        $"duplicate key '{Encoding.UTF8.GetString(key)}': JSON parsers disagree on which value counts";

    // Other JSON writers escape freely (System.Text.Json writes '+' as \u002B): compare the text, not the bytes.
    private static byte[] Unescaped(ref Utf8JsonReader reader, string field)
    {
        var buffer = new byte[reader.ValueSpan.Length];
        try
        {
            return buffer.AsSpan(0, reader.CopyString(buffer)).ToArray();
        }
        catch (InvalidOperationException)
        {
            throw new UndecodableTextException(field);
        }
    }

    private static void Append(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        Span<byte> len = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(len, value.Length);
        w.Write(len);
        w.Write(value);
    }

    private static void AppendAscii(ArrayBufferWriter<byte> w, string value)
    {
        var bytes = Encoding.ASCII.GetByteCount(value);
        var span = w.GetSpan(bytes + 4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, bytes);
        Encoding.ASCII.GetBytes(value, span[4..]);
        w.Advance(bytes + 4);
    }

    /// <returns>A key of <c>extra</c> itself that appears twice, or null.</returns>
    private string? ReadExtra(ref Utf8JsonReader reader, ref string?[]? names, ref string?[]? versions,
        ref SortedDictionary<string, string>? fingerprintExtra)
    {
        var depth = reader.CurrentDepth;
        _extraKeys.Clear();
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            ReadOnlySpan<byte> key = reader.ValueIsEscaped ? DuplicateKeys.Unescape(reader.ValueSpan) : reader.ValueSpan;
            if (!_extraKeys.Add(key))
            {
                return Encoding.UTF8.GetString(key);
            }

            var matched = false;
            for (var i = 0; i < _nameKeys.Length; i++)
            {
                if (key.SequenceEqual(_nameKeys[i]))
                {
                    reader.Read();
                    names ??= new string?[_nameKeys.Length];
                    names[i] = ShortString(ref reader, _nameKeys[i]);
                    matched = true;
                    break;
                }
            }

            for (var i = 0; !matched && i < _versionKeys.Length; i++)
            {
                if (key.SequenceEqual(_versionKeys[i]))
                {
                    reader.Read();
                    versions ??= new string?[_versionKeys.Length];
                    versions[i] = ShortString(ref reader, _versionKeys[i]);
                    matched = true;
                }
            }

            if (matched)
            {
                continue;
            }

            var keyString = FingerprintKey(key);
            reader.Read();
            if (keyString is not null)
            {
                fingerprintExtra ??= new SortedDictionary<string, string>(StringComparer.Ordinal);
                try
                {
                    fingerprintExtra[keyString] = PythonJson.Canonical(ref reader);
                }
                catch (InvalidOperationException)
                {
                    throw new UndecodableTextException("extra." + keyString);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return null;
    }

    private string? ShortString(ref Utf8JsonReader reader, byte[] key)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        if (reader.ValueSpan.Length <= 128 && !reader.ValueIsEscaped)
        {
            return _pool.Get(reader.ValueSpan);
        }

        try
        {
            return reader.ValueSpan.Length <= 768 ? reader.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            throw new UndecodableTextException("extra." + Encoding.UTF8.GetString(key));
        }
    }

    private static readonly byte[][] FingerprintExtraKeyBytes = [.. FingerprintExtraKeys.Select(Encoding.ASCII.GetBytes)];

    // Called for every extra key of every event: compares against pre-encoded keys, allocates nothing.
    private static string? FingerprintKey(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < FingerprintExtraKeyBytes.Length; i++)
        {
            if (key.SequenceEqual(FingerprintExtraKeyBytes[i]))
            {
                return FingerprintExtraKeys[i];
            }
        }

        return null;
    }

    /// <summary>The trace hash of an event whose fingerprint had a dropped input: HMAC of the kept fields, 16 hex digits.</summary>
    private string KeyedTrace(ParsedEvent ev)
    {
        var kept = $"trace\0{ev.Code}\0{ev.ExceptionType}\0{ev.Source}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(_traceKey, Encoding.UTF8.GetBytes(kept)))[..16];
    }

    /// <summary>smonitor's fingerprint, for events exported without one.</summary>
    internal static string Fingerprint(ParsedEvent ev, SortedDictionary<string, string>? extra)
    {
        var sb = new StringBuilder("{\"code\":");
        sb.Append(PythonJson.Quote(ev.Code)).Append(",\"exception_type\":").Append(PythonJson.Quote(ev.ExceptionType));
        sb.Append(",\"extra\":{");
        var first = true;
        foreach (var (k, v) in extra ?? [])
        {
            sb.Append(first ? "" : ",").Append(PythonJson.Quote(k)).Append(':').Append(v);
            first = false;
        }

        sb.Append("},\"source\":").Append(PythonJson.Quote(ev.Source)).Append('}');
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash)[..16];
    }

    private string? Identifier(ref Utf8JsonReader reader, string field, RedactionLedger ledger, int maxLength = 128, bool scrub = true)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            ledger.Add($"invalid.{field}");
            return null;
        }

        var span = reader.ValueSpan;
        if (reader.ValueIsEscaped || span.Length == 0 || span.Length > maxLength || !IsIdentifier(span))
        {
            ledger.Add($"invalid.{field}");
            return null;
        }

        var value = _pool.Get(span);
        if (!IdentifierGrammar.Matches(field, value))
        {
            ledger.Add($"invalid.{field}");
            return null;
        }

        var reason = scrub ? _pool.ScrubVerdict(value) : null;
        if (reason is not null)
        {
            ledger.Add($"scrubbed.{reason}");
            return null;
        }

        return value;
    }

    internal static bool IsIdentifier(ReadOnlySpan<byte> s)
    {
        foreach (var c in s)
        {
            if (!(c is >= (byte)'a' and <= (byte)'z' || c is >= (byte)'A' and <= (byte)'Z' || c is >= (byte)'0' and <= (byte)'9'
                  || c is (byte)'_' or (byte)'.' or (byte)':' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex16(ReadOnlySpan<byte> s)
    {
        if (s.Length != 16)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(c is >= (byte)'0' and <= (byte)'9' || c is >= (byte)'a' and <= (byte)'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Level(ReadOnlySpan<byte> raw)
    {
        Span<byte> upper = stackalloc byte[9];
        if (raw.Length is < 4 or > 8)
        {
            return null;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            upper[i] = c is >= (byte)'a' and <= (byte)'z' ? (byte)(c - 32) : c;
        }

        var u = upper[..raw.Length];
        return u.SequenceEqual("DEBUG"u8) ? "DEBUG"
            : u.SequenceEqual("INFO"u8) ? "INFO"
            : u.SequenceEqual("WARNING"u8) ? "WARNING"
            : u.SequenceEqual("WARN"u8) ? "WARNING"
            : u.SequenceEqual("ERROR"u8) ? "ERROR"
            : u.SequenceEqual("CRITICAL"u8) ? "CRITICAL"
            : null;
    }

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => t.ToString(),
    };
}

/// <summary>
/// A kept string holds text that cannot be decoded: a <c>\u</c> escape of a lone UTF-16 surrogate
/// (<c>"\ud800"</c>), which System.Text.Json refuses to turn into a string. The event is invalid.
/// </summary>
internal sealed class UndecodableTextException(string field) : Exception($"{field}: undecodable text")
{
    public string Field { get; } = field;

    public const string Reason = "undecodable text: a \\u escape of a lone surrogate (not valid UTF-16)";
}

/// <summary>Where an event sits in its file, formatted only when a problem is recorded.</summary>
internal readonly record struct EventLocation(string File, int Number, bool InArray)
{
    public override string ToString() => InArray ? $"{File} events[{Number}]" : $"{File} line {Number}";
}
