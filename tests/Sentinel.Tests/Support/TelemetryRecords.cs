using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sentinel.Tests.Support;

/// <summary>
/// Safe-schema telemetry records (what an opt-in client sends to POST /v1/events) made from the real events of a
/// corpus single-file bundle: only the allowed fields, no message, context or extra.
/// </summary>
public static class TelemetryRecords
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON object per event of <paramref name="corpusJson"/>; <paramref name="library"/> and <paramref name="version"/> as the client knows them.</summary>
    public static List<string> FromBundle(string corpusJson, string library, string version)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Corpus.PathOf(corpusJson)));
        var root = doc.RootElement;
        var python = string.Join('.', root.GetProperty("python").GetProperty("version").GetString()!.Split('.').Take(2));
        var platform = $"{root.GetProperty("platform").GetProperty("system").GetString()}-{root.GetProperty("platform").GetProperty("machine").GetString()}";
        var profile = root.GetProperty("config").GetProperty("profile").GetString();
        var smonitor = root.GetProperty("smonitor_version").GetString();
        var lines = new List<string>();
        foreach (var ev in root.GetProperty("events").EnumerateArray())
        {
            lines.Add(Line(new Dictionary<string, string?>
            {
                ["timestamp"] = ev.GetProperty("timestamp").GetString(),
                ["level"] = ev.GetProperty("level").GetString(),
                ["library"] = library,
                ["version"] = version,
                ["code"] = Str(ev, "code"),
                ["category"] = Str(ev, "category"),
                ["exception_type"] = Str(ev, "exception_type"),
                ["source"] = Str(ev, "source"),
                ["trace_hash"] = Str(ev, "fingerprint"),
                ["run_id"] = Str(ev, "run_id"),
                ["python_version"] = python,
                ["platform"] = platform,
                ["profile"] = profile,
                ["smonitor_version"] = smonitor,
            }));
        }

        return lines;
    }

    /// <summary>A minimal valid record: the three required fields.</summary>
    public static Dictionary<string, object?> Minimal(string timestamp = "2026-10-04T17:42:53.378820+00:00") => new()
    {
        ["timestamp"] = timestamp,
        ["level"] = "WARNING",
        ["library"] = "molsysmt",
    };

    /// <summary>One compact JSON line (values of any JSON type, to make wrong-type records too).</summary>
    public static string Line<T>(IDictionary<string, T> fields)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Compact))
        {
            w.WriteStartObject();
            foreach (var (k, v) in fields)
            {
                w.WritePropertyName(k);
                JsonSerializer.Serialize(w, v, v?.GetType() ?? typeof(object));
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Body(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";

    private static string? Str(JsonElement ev, string name) =>
        ev.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
