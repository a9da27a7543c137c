using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Robustness;

/// <summary>
/// A directory bundle of many real-shaped events, made by resampling a corpus run with fresh
/// timestamps (as in LargeBundleTests): an ingest of it takes long enough to race.
/// </summary>
internal static class BigBundle
{
    public static string Write(string bundle, int events)
    {
        Directory.CreateDirectory(bundle);
        var source = Corpus.PathOf("m09_molsysmt-0.10.1_debug_mgarcia");
        File.Copy(Path.Combine(source, "bundle.json"), Path.Combine(bundle, "bundle.json"));
        File.SetAttributes(Path.Combine(bundle, "bundle.json"), FileAttributes.Normal);
        var templates = File.ReadLines(Path.Combine(source, "events.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var start = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        using var w = new StreamWriter(Path.Combine(bundle, "events.jsonl"), false, new UTF8Encoding(false), 1 << 20);
        for (var i = 0; i < events; i++)
        {
            var e = templates[i % templates.Count];
            e["timestamp"] = start.AddTicks(i * 10L * 1000).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
            w.WriteLine(e.ToJsonString());
        }

        return bundle;
    }
}
