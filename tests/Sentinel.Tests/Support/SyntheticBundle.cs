using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sentinel.Tests.Support;

/// <summary>One event of a hand-made run.</summary>
public sealed record SyntheticEvent(string Level, string? Code = null, string Fingerprint = "00000000000000aa");

/// <summary>
/// A single-file smonitor bundle of one run written by hand, in the shape the real library exports
/// (see the corpus), for tests whose expected numbers are computed by hand.
/// </summary>
public static class SyntheticBundle
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);

    /// <param name="run">Distinct per run; becomes the run id.</param>
    /// <param name="timings">function → (calls, p95 ms); p50 = p95 / 2, max = p95 × 1.5.</param>
    private static JsonObject Catalog(IReadOnlyDictionary<string, string>? titles)
    {
        var codes = new JsonObject();
        foreach (var (code, title) in titles ?? new Dictionary<string, string>())
        {
            codes[code] = new JsonObject { ["title"] = title, ["user_message"] = "Something happened.", ["user_hint"] = "Try again." };
        }

        return codes;
    }

    public static string Write(string dir, string library, string version, int run, IEnumerable<SyntheticEvent> events,
        IReadOnlyDictionary<string, (int Calls, double P95)>? timings = null, int day = 0,
        IReadOnlyDictionary<string, string>? catalogTitles = null, bool reportsVersion = true, string? export = null, string? source = null)
    {
        // reportsVersion: false writes events without extra (an `smonitor export --drop-extra`, or a library whose
        // META has no version); the run id stays that of the (library, version, run), so two exports of one run meet.
        var runId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{library}|{version}|{run}")))[..32];
        var t = Start.AddDays(day).AddMinutes(run);
        var list = new JsonArray();
        var i = 0;
        // Every run carries its version the way catalog events do: extra.library / extra.version.
        foreach (var e in events.Prepend(new SyntheticEvent("INFO", null, "00000000000000ff")))
        {
            list.Add(new JsonObject
            {
                ["timestamp"] = t.AddSeconds(i++).ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture),
                ["level"] = e.Level,
                ["source"] = source ?? $"{library}.core.work",
                ["message"] = $"event {i}",
                ["code"] = e.Code,
                ["category"] = null,
                ["exception_type"] = e.Level is "ERROR" or "CRITICAL" ? "RuntimeError" : null,
                ["run_id"] = runId,
                ["fingerprint"] = e.Fingerprint,
                ["extra"] = reportsVersion ? new JsonObject { ["library"] = library, ["version"] = version } : null,
            });
        }

        var timingObject = new JsonObject();
        foreach (var (function, (calls, p95)) in timings ?? new Dictionary<string, (int, double)>())
        {
            timingObject[function] = new JsonObject { ["count"] = calls, ["p50_ms"] = p95 / 2, ["p95_ms"] = p95, ["max_ms"] = p95 * 1.5 };
        }

        var bundle = new JsonObject
        {
            ["generated_at"] = t.AddHours(1).ToString("o", CultureInfo.InvariantCulture),
            ["smonitor_version"] = "0.5.0",
            ["python"] = new JsonObject { ["version"] = "3.11.9", ["implementation"] = "CPython" },
            ["platform"] = new JsonObject { ["system"] = "Linux", ["release"] = "6.5.0", ["machine"] = "x86_64" },
            ["runtime"] = new JsonObject { ["run_id"] = runId, ["session_id"] = runId, ["correlation_id"] = null },
            ["config"] = new JsonObject { ["profile"] = "user" },
            ["codes"] = Catalog(catalogTitles),
            // As in real bundles: every library that configured smonitor declares its signals (evidence that it is a library).
            ["signals"] = new JsonObject { [$"{library}.core.work"] = new JsonObject { ["extra_required"] = new JsonArray() } },
            ["events"] = list,
            ["report"] = new JsonObject { ["timings"] = timingObject },
        };
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{library}-{version}-run{run}{(export is null ? "" : "-" + export)}.json");
        File.WriteAllText(path, bundle.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return path;
    }
}
