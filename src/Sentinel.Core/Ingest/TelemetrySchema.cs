using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sentinel.Storage;
using Sentinel.Text;

namespace Sentinel.Ingest;

/// <summary>One field of a safe-schema telemetry record: a string (or null when optional) matching <see cref="Pattern"/> or one of <see cref="Allowed"/>.</summary>
internal sealed record TelemetryField(string Name, bool Required, int MaxLength, string? Pattern, IReadOnlyList<string>? Allowed);

/// <summary>
/// The safe-schema telemetry record (DESIGN §3) as an opt-in client sends it to <c>POST /v1/events</c>, one JSON
/// object per line. The table below is the contract; <c>docs/schemas/telemetry-event.schema.json</c> states the
/// same in JSON Schema and a test keeps the two equal. Patterns are written so that .NET and ECMA-262 (JSON
/// Schema's dialect) read them alike.
/// </summary>
internal static class TelemetrySchema
{
    public const string IdentifierPattern = "^[A-Za-z0-9_.:-]{1,128}$";

    public static IReadOnlyList<TelemetryField> Fields { get; } =
    [
        new("timestamp", true, 40, @"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$", null),
        new("level", true, 8, null, ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        new("library", true, 64, "^[a-z][a-z0-9_]{0,63}$", null),
        new("version", false, 64, VersionPattern, null),
        // The grammars of IdentifierGrammar (bundle ingest), as JSON Schema patterns.
        new("code", false, 64, @"^(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*|[A-Z][A-Za-z0-9]*)$", null),
        new("category", false, 64, @"^[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*$", null),
        new("exception_type", false, 128, @"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$", null),
        new("source", false, 256, @"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$", null),
        new("trace_hash", false, 16, "^[0-9a-f]{16}$", null),
        new("run_id", false, 128, IdentifierPattern, null),
        new("python_version", false, 6, @"^[0-9]{1,2}\.[0-9]{1,3}$", null),
        new("platform", false, 65, "^[A-Za-z0-9_]{1,32}(-[A-Za-z0-9_]{1,32})?$", null),
        new("profile", false, 5, null, ["user", "dev", "qa", "agent", "debug"]),
        new("smonitor_version", false, 64, VersionPattern, null),
    ];

    /// <summary>The fields that describe the client's environment: ingest stores them per upload, so one upload has one value each.</summary>
    public static IReadOnlyList<string> UploadWideFields { get; } = ["python_version", "platform", "profile", "smonitor_version"];

    public static IReadOnlyList<string> Required { get; } = [.. Fields.Where(f => f.Required).Select(f => f.Name)];

    // Attribution's PEP 440-ish pattern, lower case only (JSON Schema patterns have no case-insensitive flag). A local
    // label (+…) is accepted on the wire, as smonitor's own dev builds report one (0.0.0+unknown), and dropped by
    // ingest: only the public version is stored.
    private const string VersionPattern =
        @"^v?[0-9]+(\.[0-9]+)*([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?([-_.]?(post|rev|r)[-_.]?[0-9]*)?([-_.]?dev[-_.]?[0-9]*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$";

    internal static readonly Regex?[] Patterns = [.. Fields.Select(f => f.Pattern is null ? null : new Regex(f.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];

    public static int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One valid telemetry record, every value already checked.</summary>
internal sealed record TelemetryRecord(
    string Timestamp, DateTime TimestampUtc, string Level, string Library, string? Version, string? Code, string? Category,
    string? ExceptionType, string? Source, string? TraceHash, string? RunId);

/// <summary>
/// Checks the lines of one telemetry upload against <see cref="TelemetrySchema"/>, strictly: unknown and duplicate
/// fields, wrong types, pattern and enum misses are errors, and so is a value the scrubber flags (a credential or
/// personal data in a field that should hold an identifier). Across lines, the upload-wide fields and each run's
/// library version must agree. Used by <c>POST /v1/events</c> (the first problem refuses the body) and by
/// <c>sentinel ingest</c> (a bad line is quarantined), so the two accept exactly the same records.
/// A problem names the line and the field, never the offending value.
/// </summary>
internal sealed class TelemetryValidator
{
    /// <summary>Longest accepted line. The longest valid record is under 2 KiB; the rest is room for whitespace.</summary>
    public const int MaxLineBytes = 16 * 1024;

    private const int MaxValueBytes = 256;
    private static readonly int Count = TelemetrySchema.Fields.Count;
    private static readonly byte[][] Names = [.. TelemetrySchema.Fields.Select(f => Encoding.UTF8.GetBytes(f.Name))];
    private static readonly int[] UploadWideIndexes = [.. TelemetrySchema.UploadWideFields.Select(TelemetrySchema.IndexOf)];
    private static readonly int Timestamp = TelemetrySchema.IndexOf("timestamp");
    private static readonly int Level = TelemetrySchema.IndexOf("level");
    private static readonly int Library = TelemetrySchema.IndexOf("library");
    private static readonly int Version = TelemetrySchema.IndexOf("version");
    private static readonly int Code = TelemetrySchema.IndexOf("code");
    private static readonly int Category = TelemetrySchema.IndexOf("category");
    private static readonly int ExceptionType = TelemetrySchema.IndexOf("exception_type");
    private static readonly int Source = TelemetrySchema.IndexOf("source");
    private static readonly int TraceHash = TelemetrySchema.IndexOf("trace_hash");
    private static readonly int RunId = TelemetrySchema.IndexOf("run_id");

    private readonly string?[] _uploadWide = new string?[UploadWideIndexes.Length];
    private readonly int[] _uploadWideLine = new int[UploadWideIndexes.Length];
    private readonly Dictionary<(string Run, string Library), (string Version, int Line)> _versions = [];
    private readonly HashSet<string> _runIds = new(StringComparer.Ordinal);
    private bool _anyWithoutRun;

    public int Records { get; private set; }

    /// <summary>The upload-wide value of a field (python_version, platform, profile, smonitor_version), once a record carried it.</summary>
    public string? UploadWide(string field) => _uploadWide[Array.IndexOf(UploadWideIndexes, TelemetrySchema.IndexOf(field))];

    /// <summary>The one run of the upload when every record names the same run_id.</summary>
    public string? SingleRunId => !_anyWithoutRun && _runIds.Count == 1 ? _runIds.First() : null;

    public static Problem TooLong(int number) =>
        new($"line {number}", null, $"longer than {MaxLineBytes / 1024} KiB; a telemetry record is one short JSON object per line");

    /// <summary>Checks one non-blank line; null and a problem when it is not a valid record.</summary>
    public TelemetryRecord? Check(ReadOnlySpan<byte> line, int number, out Problem? problem)
    {
        var where = $"line {number}";
        var values = new string?[Count];
        var seen = new bool[Count];
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = new Problem(where, null, $"a telemetry record must be a JSON object, got {Describe(reader.TokenType)}");
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = FieldIndex(ref reader);
                if (index < 0)
                {
                    problem = Unknown(ref reader, where);
                    return null;
                }

                var field = TelemetrySchema.Fields[index];
                if (seen[index])
                {
                    problem = new Problem(where, field.Name, $"field '{field.Name}' appears twice");
                    return null;
                }

                seen[index] = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null && !field.Required)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    problem = new Problem(where, field.Name, $"field '{field.Name}' must be a string{(field.Required ? "" : " or null")}, got {Describe(reader.TokenType)}");
                    return null;
                }

                var message = CheckValue(ref reader, index, out values[index]);
                if (message is not null)
                {
                    problem = new Problem(where, field.Name, message);
                    return null;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new JsonException("unexpected data after the record");
            }
        }
        catch (JsonException e)
        {
            var at = e.BytePositionInLine is { } p ? $" at byte {p + 1}" : "";
            problem = new Problem(where, null, $"not valid JSON{at}: {Clean(e.Message)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // CopyString on a string that is not valid UTF-8 (or holds a lone surrogate escape).
            problem = new Problem(where, null, "not valid JSON: a string is not valid UTF-8");
            return null;
        }

        var missing = TelemetrySchema.Fields.Where((f, i) => f.Required && !seen[i]).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            problem = new Problem(where, string.Join(", ", missing), $"required field(s) missing: {string.Join(", ", missing)}");
            return null;
        }

        problem = CheckAcrossLines(values, number, where);
        if (problem is not null)
        {
            return null;
        }

        Records++;
        IsoTimestamp.TryParseUtc(Encoding.ASCII.GetBytes(values[Timestamp]!), out var utc);
        return new TelemetryRecord(values[Timestamp]!, utc, values[Level]!, values[Library]!, values[Version],
            values[Code], values[Category], values[ExceptionType], values[Source], values[TraceHash], values[RunId]);
    }

    private static int FieldIndex(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (reader.ValueTextEquals(Names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    // The name is shown only when it looks like a field name (lower snake_case, like message, extra or session_id) and
    // the scrubber passes it: a client can put anything in a name, a secret too.
    private static Problem Unknown(ref Utf8JsonReader reader, string where)
    {
        string? name = null;
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length is > 0 and <= 64 && IsFieldName(reader.ValueSpan))
        {
            var candidate = Encoding.ASCII.GetString(reader.ValueSpan);
            name = Scrubber.Check(candidate) is null ? candidate : null;
        }

        var allowed = string.Join(", ", TelemetrySchema.Fields.Select(f => f.Name));
        return name is not null
            ? new Problem(where, name, $"unknown field '{name}'; allowed fields: {allowed}")
            : new Problem(where, null, $"unknown field (name not shown: not a lower-case snake_case name, or it looks like a credential); allowed fields: {allowed}");
    }

    private static bool IsFieldName(ReadOnlySpan<byte> s)
    {
        if (s[0] is not ((>= (byte)'a' and <= (byte)'z') or (byte)'_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? CheckValue(ref Utf8JsonReader reader, int index, out string? value)
    {
        value = null;
        var field = TelemetrySchema.Fields[index];
        if (reader.ValueSpan.Length > MaxValueBytes * 6)
        {
            return $"field '{field.Name}' is longer than {field.MaxLength} characters";
        }

        Span<byte> buffer = stackalloc byte[MaxValueBytes * 6];
        var length = reader.CopyString(buffer);
        var bytes = buffer[..length];
        if (Encoding.UTF8.GetCharCount(bytes) > field.MaxLength)
        {
            return $"field '{field.Name}' is longer than {field.MaxLength} characters";
        }

        foreach (var b in bytes)
        {
            // Every allowed value is printable ASCII; this also keeps .NET's '$' (which matches before a final '\n') ECMA-strict.
            if (b is < 0x20 or >= 0x7F)
            {
                return $"field '{field.Name}' {Expectation(field)}";
            }
        }

        var text = Encoding.ASCII.GetString(bytes);
        if (field.Allowed is not null ? !field.Allowed.Contains(text) : !TelemetrySchema.Patterns[index]!.IsMatch(text))
        {
            return $"field '{field.Name}' {Expectation(field)}";
        }

        if (index == Timestamp && IsoTimestamp.TryParseUtc(bytes, out _) != IsoTimestamp.Problem.None)
        {
            return "field 'timestamp' is not a real date and time (month, day, hour, minute, second or offset out of range)";
        }

        // The same rules as bundle ingest on top of the patterns: scrubbed values are never kept, here they are refused.
        // run_id is never stored (only its keyed hash), as in bundles: a random hex run id is not refused as secret-shaped.
        if (field.Allowed is null && index != Timestamp && (Scrubber.Check(text) is { } reason && !(field.Name == "run_id" && reason == "secret_shaped")))
        {
            return $"field '{field.Name}' looks like a credential or personal data ({reason}); it is never stored";
        }

        value = text;
        return null;
    }

    private Problem? CheckAcrossLines(string?[] values, int number, string where)
    {
        for (var k = 0; k < UploadWideIndexes.Length; k++)
        {
            var value = values[UploadWideIndexes[k]];
            if (value is null)
            {
                continue;
            }

            if (_uploadWide[k] is null)
            {
                _uploadWide[k] = value;
                _uploadWideLine[k] = number;
            }
            else if (_uploadWide[k] != value)
            {
                var name = TelemetrySchema.Fields[UploadWideIndexes[k]].Name;
                return new Problem(where, name,
                    $"field '{name}' differs from line {_uploadWideLine[k]}: one upload is one environment ({string.Join(", ", TelemetrySchema.UploadWideFields)} must agree); send other environments as separate uploads");
            }
        }

        var run = values[RunId];
        if (run is null)
        {
            _anyWithoutRun = true;
        }
        else
        {
            _runIds.Add(run);
        }

        var version = values[Version];
        if (version is not null)
        {
            var key = (run ?? "", values[Library]!);
            if (!_versions.TryGetValue(key, out var first))
            {
                _versions[key] = (version, number);
            }
            else if (first.Version != version)
            {
                return new Problem(where, "version",
                    $"field 'version' differs from line {first.Line} for the same library and run_id: a run has one version of a library");
            }
        }

        return null;
    }

    private static string Expectation(TelemetryField field) =>
        field.Allowed is not null ? $"must be one of {string.Join(", ", field.Allowed)}" : $"does not match {field.Pattern}";

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        _ => "nothing",
    };

    // System.Text.Json messages end with a position that means nothing here; they quote at most one character.
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
